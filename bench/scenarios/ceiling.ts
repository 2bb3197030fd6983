// Ceiling: the same backlog consumed by kafkajs with a no-op handler, and by the KDS (own process,
// src/main.ts) with the order-service simulator answering at once. Every event is an order's
// first (a call and a full write each): the worst case per event.
import { inProcessWriter } from '../../simulator/admin-client';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { KAFKA_BROKERS } from '../../test/support/infra';
import { placedOnly } from '../../test/support/events';
import { writeSettings } from '../../test/support/zk';
import { noopConsumer } from '../lib/raw-consumers';
import { cpuMeter, mariadbPidOf } from '../lib/processes';
import { appliedWindow, prepareStage, publishBacklog, startKds, untilFinished } from '../lib/stack';
import type { BenchOptions, ScenarioResult } from './types';

export async function ceiling(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 20_000;
  const partitions = 4;
  const stage = await prepareStage('ceiling', partitions);
  const sim = await createOrderServiceSimulator();
  try {
    const steps = placedOnly(generateTraffic({ orders: events, seed: 11, merchants: opts.merchants }));
    await publishBacklog(stage.topic, steps, inProcessWriter(sim));
    const kafkajs = await noopConsumer(createKafka('bench-noop', KAFKA_BROKERS, silentLogger), stage.topic, steps.length, partitions);

    await writeSettings(stage.zkRoot, opts.settings);
    const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      const cpu = cpuMeter({ kds: kds.pid, mariadb: await mariadbPidOf(stage.db.pool), bench: process.pid });
      await untilFinished(kds, steps.length, 'KDS drained the backlog', 600_000);
      const used = cpu();
      const w = await appliedWindow(stage.db);
      const kdsRate = (w.n - 1) / w.seconds;
      const stats = sim.stats();
      return {
        scenario: 'ceiling',
        events: steps.length,
        partitions,
        kafkajsNoopPerSec: round(kafkajs.perSecond),
        kdsPerSec: round(kdsRate),
        ratioKdsToNoop: round(kdsRate / kafkajs.perSecond, 3),
        kdsSeconds: round(w.seconds, 2),
        target: 'KDS >= 2000 events/s end to end',
        met: kdsRate >= 2000,
        simulatorPeakConcurrency: stats.peakConcurrency,
        settings: opts.settings,
        peakRssMb: round(kds.memory().peakRssMb),
        cpu: used,
        kdsCpuMsPerEvent: round(((used.kdsCpuSeconds ?? 0) * 1000) / steps.length, 2),
        mariadbCpuMsPerEvent: round(((used.mariadbCpuSeconds ?? 0) * 1000) / steps.length, 2),
      };
    } finally {
      await kds.stop();
    }
  } finally {
    await sim.close();
    await stage.cleanup();
  }
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// Baseline: the original design (kafkajs eachMessage, one record at a time per partition, the
// same processor and database writes) against the KDS (keyed scheduler + gate, own process) on
// the same 20,000 events over 4 partitions, the order-service simulator answering in 20 ms.
// Each side writes its own fresh database; every event is an order's first (call + write).
import { inProcessWriter } from '../../simulator/admin-client';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { KAFKA_BROKERS } from '../../test/support/infra';
import { placedOnly } from '../../test/support/events';
import { writeSettings } from '../../test/support/zk';
import { cpuMeter, mariadbPidOf } from '../lib/processes';
import { originalDesign } from '../lib/raw-consumers';
import { appliedWindow, BENCH_ENV, prepareStage, publishBacklog, startKds, untilFinished } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

export async function baseline(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 20_000;
  const partitions = 4;
  const latencyMs = 20;
  const original = await prepareStage('baseorig', partitions);
  const kdsStage = await prepareStage('basekds', partitions);
  const sim = await createOrderServiceSimulator();
  try {
    sim.setGlobal({ latencyMs });
    const steps = placedOnly(generateTraffic({ orders: events, seed: 21, merchants: opts.merchants }));
    await publishBacklog(original.topic, steps, inProcessWriter(sim));
    await publishBacklog(kdsStage.topic, steps, { putOrders: () => Promise.resolve() });

    const orig = await originalDesign(createKafka('bench-original', KAFKA_BROKERS, silentLogger), original.topic, steps.length, partitions, original.db.pool, sim.url, BENCH_ENV);
    const origWindow = await appliedWindow(original.db);
    const origRate = (origWindow.n - 1) / origWindow.seconds;

    await writeSettings(kdsStage.zkRoot, opts.settings);
    sim.resetStats();
    const kds = await startKds(kdsStage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      const cpu = cpuMeter({ kds: kds.pid, mariadb: await mariadbPidOf(kdsStage.db.pool) });
      await untilFinished(kds, steps.length, 'KDS drained the backlog', 900_000);
      const used = cpu();
      const w = await appliedWindow(kdsStage.db);
      const kdsRate = (w.n - 1) / w.seconds;
      const stats = sim.stats();
      return {
        scenario: 'baseline',
        events: steps.length,
        partitions,
        orderServiceLatencyMs: latencyMs,
        originalPerSec: round(origRate),
        kdsPerSec: round(kdsRate),
        ratio: round(kdsRate / origRate, 2),
        target: 'ratio >= 10',
        met: kdsRate / origRate >= 10,
        originalSeconds: round(origWindow.seconds, 1),
        kdsSeconds: round(w.seconds, 1),
        kdsSimulatorPeakConcurrency: stats.peakConcurrency,
        kdsSimulatorPeakRps: stats.peakRps,
        settings: opts.settings,
        cpu: used,
        kdsCpuMsPerEvent: round(((used.kdsCpuSeconds ?? 0) * 1000) / steps.length, 2),
        mariadbCpuMsPerEvent: round(((used.mariadbCpuSeconds ?? 0) * 1000) / steps.length, 2),
        kafkajsRecords: orig.records,
      };
    } finally {
      await kds.stop();
    }
  } finally {
    await sim.close();
    await original.cleanup();
    await kdsStage.cleanup();
  }
}

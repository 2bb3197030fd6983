// Instances: the same backlog (every event an order's first: a call and a full write each) drained
// by 1, 2 and 3 KDS processes in one consumer group and one ZooKeeper root, against the simulator
// answering at once, twice: with the caps raised out of the way (what consumption does with more
// instances) and with cluster-wide caps of 12 in flight and 150/s (what the order-service cap does:
// nothing grows). docs/scaling.md records the results.
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { cpuMeter, mariadbPidOf } from '../lib/processes';
import { placedOnly } from '../../test/support/events';
import { writeSettings } from '../../test/support/zk';
import { appliedWindow, prepareStage, publishBacklog, startKds, until, type Kds } from '../lib/stack';
import type { BenchOptions, ScenarioResult } from './types';

const PARTITIONS = 6;

async function drain(n: number, events: number, opts: BenchOptions, settings: BenchOptions['settings']): Promise<Record<string, number>> {
  const stage = await prepareStage(`inst${n}`, PARTITIONS);
  const sim = await createOrderServiceSimulator();
  const kds: Kds[] = [];
  try {
    await writeSettings(stage.zkRoot, settings);
    // all instances up and sharing before the backlog lands, so the drain is not a start race
    for (let i = 0; i < n; i++) kds.push(await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs));
    await until('shares settled', async () => {
      const sums = await Promise.all(kds.map((k) => k.metric('kds_order_service_limit')));
      return sums.reduce((a, b) => a + b, 0) === (settings.orderServiceMaxConcurrent ?? 0) + (settings.orderServiceMaxPerSecond ?? 0);
    }, 60_000);
    const steps = placedOnly(generateTraffic({ orders: events, seed: 31, merchants: opts.merchants }));
    const cpu = cpuMeter({ mariadb: await mariadbPidOf(stage.db.pool), ...Object.fromEntries(kds.map((k, i) => [`kds${i}`, k.pid])) });
    await publishBacklog(stage.topic, steps, inProcessWriter(sim));
    await until('drained', async () => (await appliedWindow(stage.db)).n >= steps.length, 600_000);
    const used = cpu();
    const w = await appliedWindow(stage.db);
    const stats = sim.stats();
    return {
      instances: n,
      perSec: Math.round((w.n - 1) / w.seconds),
      peakInFlight: stats.peakConcurrency,
      peakPerSecond: stats.peakRps,
      machineBusyPct: used.machineBusyPct ?? 0,
    };
  } finally {
    await Promise.all(kds.map((k) => k.stop()));
    await sim.close();
    await stage.cleanup();
  }
}

export async function instances(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 6000;
  const uncapped = [];
  const capped = [];
  for (const n of [1, 2, 3]) uncapped.push(await drain(n, events, opts, opts.settings));
  const caps = { ...opts.settings, orderServiceMaxConcurrent: 12, orderServiceMaxPerSecond: 150 };
  for (const n of [1, 2, 3]) capped.push(await drain(n, Math.min(events, 1500), opts, caps));
  return { scenario: 'instances', events, partitions: PARTITIONS, uncapped, capped12x150: capped };
}

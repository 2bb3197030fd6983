// Shards: the first step of splitting a chain (docs/scaling.md, "When one primary is not
// enough"): two environments, each its own topic, group, schema and ZooKeeper root, on ONE MySQL
// server. Measured on the benchmark's own MariaDB (bench/lib/private-mariadb.ts), so its /proc
// CPU is this run's alone: first one environment drains N first events alone, then two drain N
// each at the same time. What it answers: does a second schema on the same server add capacity
// (aggregate drain rate), and what does each event cost the shared server when two share it.
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { placedOnly } from '../../test/support/events';
import { writeSettings } from '../../test/support/zk';
import { drainByOffsets, load1, type DrainTiming } from '../lib/offsets';
import { startPrivateMariadb, type PrivateMariadb } from '../lib/private-mariadb';
import { cpuMeter } from '../lib/processes';
import { prepareStage, publishBacklog, stageCounts, startKds, type Kds, type Stage } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const PARTITIONS = 4;

/** A stage per label (topic, group, schema, ZooKeeper root) with its backlog published and its settings written. */
async function environments(labels: string[], db: PrivateMariadb, opts: BenchOptions, events: number, writer: ReturnType<typeof inProcessWriter>): Promise<Stage[]> {
  const out: Stage[] = [];
  for (const [i, label] of labels.entries()) {
    const stage = await prepareStage(label, PARTITIONS, db.url);
    // each environment its own orders (different seeds), as two regions of a chain would have
    await publishBacklog(stage.topic, placedOnly(generateTraffic({ orders: events, seed: 31 + i, merchants: opts.merchants, idPrefix: `${label}-` })), writer);
    await writeSettings(stage.zkRoot, opts.settings);
    out.push(stage);
  }
  return out;
}

async function drainAll(envs: Stage[], db: PrivateMariadb, opts: BenchOptions, simUrl: string, events: number): Promise<Record<string, unknown>> {
  const running: Kds[] = [];
  for (const e of envs) running.push(await startKds(e, simUrl, opts.kdsEnv, opts.kdsNodeArgs));
  const pids: Record<string, number | undefined> = { mariadb: db.pid() };
  for (const [i, k] of running.entries()) pids[`kds${i}`] = k.pid;
  const loadBefore = load1();
  const cpu = cpuMeter(pids);
  const started = performance.now();
  try {
    const drains: DrainTiming[] = await Promise.all(envs.map((e, i) =>
      drainByOffsets(e.groupId, e.topic, events, 900_000, () => running[i]?.child.assertAlive())));
    const wall = (performance.now() - started) / 1000;
    const used = cpu();
    const total = events * envs.length;
    let kdsCpu = 0;
    for (let i = 0; i < envs.length; i++) kdsCpu += Number(used[`kds${i}CpuSeconds`] ?? 0);
    const counts = await Promise.all(envs.map((e) => stageCounts(e.db)));
    return {
      environments: envs.length,
      perEnvironment: drains.map((d, i) => ({ drainPerSec: round(d.perSecond), drainSeconds: round(d.seconds, 2), orders: Number(counts[i]?.orders) })),
      // every environment's events over the time until the last one finished
      aggregatePerSec: round(total / wall),
      wallSeconds: round(wall, 2),
      kdsCpuMsPerEvent: round((kdsCpu * 1000) / total, 3),
      mariadbCpuMsPerEvent: round((Number(used.mariadbCpuSeconds ?? 0) * 1000) / total, 3),
      machineBusyPct: used.machineBusyPct,
      load1Before: loadBefore,
      load1After: load1(),
    };
  } finally {
    for (const k of running) await k.stop();
  }
}

export async function shards(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 20_000;
  const db = await startPrivateMariadb('shards', opts.mariadbArgs);
  const sim = await createOrderServiceSimulator();
  const writer = inProcessWriter(sim);
  const staged: Stage[] = [];
  try {
    const one = await environments(['shard_alone'], db, opts, events, writer);
    staged.push(...one);
    const alone = await drainAll(one, db, opts, sim.url, events);
    const two = await environments(['shard_a', 'shard_b'], db, opts, events, writer);
    staged.push(...two);
    const together = await drainAll(two, db, opts, sim.url, events);
    return {
      scenario: 'shards',
      eventsPerEnvironment: events,
      partitions: PARTITIONS,
      alone,
      together,
      aggregateToAlone: round(Number(together.aggregatePerSec) / Number(alone.aggregatePerSec), 2),
      mariadbCostTogetherToAlone: round(Number(together.mariadbCpuMsPerEvent) / Number(alone.mariadbCpuMsPerEvent), 2),
      settings: opts.settings,
    };
  } finally {
    await sim.close();
    for (const e of staged) await e.cleanup();
    await db.stop();
  }
}

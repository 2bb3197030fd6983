// Cost: CPU-ms per applied event of the KDS and of MariaDB over a 60,000-event backlog (every
// event an order's first: a call and a full write), in the same run as the guarantee-free
// reference pipeline (bench/reference.ts) on the same events. MariaDB is the benchmark's own
// server (bench/lib/private-mariadb.ts), so its /proc CPU is this run's alone; each side gets a
// fresh database on it, a fresh topic and group. Drains are timed by committed offsets.
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { placedOnly } from '../../test/support/events';
import { KAFKA_BROKERS } from '../../test/support/infra';
import { spawnTs } from '../../test/support/processes';
import { writeSettings } from '../../test/support/zk';
import { drainByOffsets, load1 } from '../lib/offsets';
import { startPrivateMariadb, type PrivateMariadb } from '../lib/private-mariadb';
import { cpuMeter } from '../lib/processes';
import { BENCH_ENV, prepareStage, publishBacklog, stageCounts, startKds } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const PARTITIONS = 4;

/** A counter's value for one label set from a /metrics text. */
export function counterOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

type Side = Record<string, number | string | boolean | Record<string, number>>;

const COUNTERS = ['Questions', 'Com_commit', 'Bytes_received', 'Handler_write', 'Handler_update'];
/**
 * Reported per applied event under `server` (load-independent: what each statement kind did).
 * Not the Innodb_rows_* counters: MariaDB 10.11 does not have them (they read 0).
 */
const DETAIL = [
  'Com_select', 'Com_insert', 'Com_update', 'Com_delete', 'Com_stmt_execute', 'Com_stmt_prepare',
  'Handler_read_key', 'Handler_read_next', 'Bytes_sent',
];

/** Server-wide status counters of the run's own MariaDB (only this run talks to it). */
async function serverCounters(url: string): Promise<Record<string, number>> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [[...COUNTERS, ...DETAIL]]);
    return Object.fromEntries(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
  } finally {
    await conn.end();
  }
}

async function runSide(side: 'kds' | 'reference', db: PrivateMariadb, opts: BenchOptions, steps: ReturnType<typeof placedOnly>): Promise<Side> {
  const stage = await prepareStage(`cost_${side}`, PARTITIONS, db.url);
  const sim = await createOrderServiceSimulator();
  try {
    await publishBacklog(stage.topic, steps, inProcessWriter(sim));
    const loadBefore = load1();
    let pid: number;
    let alive: () => void;
    let stop: () => Promise<void>;
    let applied: () => Promise<number>;
    if (side === 'kds') {
      await writeSettings(stage.zkRoot, opts.settings);
      const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
      [pid, alive, stop] = [kds.pid, () => kds.child.assertAlive(), () => kds.stop()];
      applied = async () => counterOf(await (await fetch(`http://127.0.0.1:${kds.port}/metrics`)).text(), 'kds_events_total{outcome="applied"}');
    } else {
      const child = spawnTs('bench/reference.ts', {
        MYSQL_URL: stage.db.url, ORDER_SERVICE_URL: sim.url, KAFKA_BROKERS: KAFKA_BROKERS.join(','),
        KAFKA_GROUP_ID: stage.groupId, KAFKA_ORDER_TOPIC: stage.topic, PARTITIONS: String(PARTITIONS), KDS_ENV: BENCH_ENV,
      });
      await child.waitLine(/^reference consuming/, 60_000);
      [pid, alive, stop] = [child.process.pid as number, () => child.assertAlive(), () => child.stop()];
      applied = () => Promise.resolve(steps.length);
    }
    try {
      const statusBefore = await serverCounters(db.url);
      const cpu = cpuMeter({ proc: pid, mariadb: db.pid() });
      const drain = await drainByOffsets(stage.groupId, stage.topic, steps.length, 600_000, alive);
      const used = cpu();
      const statusAfter = await serverCounters(db.url);
      const n = await applied();
      const perEvent = (k: string): number => round(((statusAfter[k] ?? 0) - (statusBefore[k] ?? 0)) / n, 2);
      const counts = await stageCounts(stage.db);
      return {
        appliedEvents: n,
        drainPerSec: round(drain.perSecond),
        drainSeconds: round(drain.seconds, 2),
        cpuMsPerEvent: round(((used.procCpuSeconds ?? 0) * 1000) / n, 3),
        mariadbCpuMsPerEvent: round(((used.mariadbCpuSeconds ?? 0) * 1000) / n, 3),
        // load-independent: what the server was sent per applied event
        statementsPerEvent: round(((statusAfter.Questions ?? 0) - (statusBefore.Questions ?? 0)) / n, 3),
        commitsPerEvent: round(((statusAfter.Com_commit ?? 0) - (statusBefore.Com_commit ?? 0)) / n, 4),
        // per transaction: what one write group costs, whatever the groups' size in this run
        statementsPerCommit: round(((statusAfter.Questions ?? 0) - (statusBefore.Questions ?? 0))
          / Math.max(1, (statusAfter.Com_commit ?? 0) - (statusBefore.Com_commit ?? 0)), 2),
        bytesToServerPerEvent: perEvent('Bytes_received'),
        rowsWrittenPerEvent: round(((statusAfter.Handler_write ?? 0) + (statusAfter.Handler_update ?? 0)
          - (statusBefore.Handler_write ?? 0) - (statusBefore.Handler_update ?? 0)) / n, 2),
        server: Object.fromEntries(DETAIL.map((k) => [k, perEvent(k)])),
        machineBusyPct: used.machineBusyPct ?? 0,
        load1Before: loadBefore,
        load1After: load1(),
        orders: Number(counts.orders),
      };
    } finally {
      await stop();
    }
  } finally {
    await sim.close();
    await stage.cleanup();
  }
}

export async function cost(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 60_000;
  const steps = placedOnly(generateTraffic({ orders: events, seed: 13, merchants: opts.merchants }));
  const db = await startPrivateMariadb('cost', opts.mariadbArgs);
  try {
    const reference = await runSide('reference', db, opts, steps);
    const kds = await runSide('kds', db, opts, steps);
    const kdsMs = Number(kds.cpuMsPerEvent);
    const dbMs = Number(kds.mariadbCpuMsPerEvent);
    return {
      scenario: 'cost',
      events: steps.length,
      partitions: PARTITIONS,
      kds,
      reference,
      kdsToReferenceCpu: round(kdsMs / Number(reference.cpuMsPerEvent), 2),
      mariadbKdsToReference: round(dbMs / Number(reference.mariadbCpuMsPerEvent), 2),
      target: 'KDS <= 0.2 and MariaDB <= 0.15 CPU-ms per applied event',
      met: kdsMs <= 0.2 && dbMs <= 0.15,
      settings: opts.settings,
    };
  } finally {
    await db.stop();
  }
}

// History: a chain's past week (bench/lib/history-fill.ts; 2,000 merchants, 500,000 orders a day,
// `--scale` shrinks the orders per day) in a database of the benchmark's own MariaDB, against an
// empty database on the same server, in the same run. For each: the drain rate of a 10,000-event
// backlog (first events of new orders, timed by committed offsets) and the KDS's and MariaDB's
// CPU per applied event; then, with live traffic at 500 events/s, board (HTTP), snapshot
// (WebSocket connect → snapshot) and stats (HTTP) latencies from 4 concurrent probes in a thread of
// their own (bench/lib/read-probe.ts), with the service's event-loop delay over them. The history
// database is measured three times: warm, right after a clean MariaDB restart (buffer pool dumped
// at shutdown and loaded at start-up, the server's default) and right after a restart without the
// load (a crash, or a server configured without it). EXPLAIN of the board's statement and the
// buffer pool's disk reads during each probe phase tell why a phase is slow.
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { migrate } from '../../src/db/migrate';
import { silentLogger } from '../../src/log';
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { placedOnly } from '../../test/support/events';
import { createTopic, deleteTopic, producer } from '../../test/support/kafka';
import { connectZk, removeTree, writeSettings } from '../../test/support/zk';
import { ZK_CONNECT } from '../../test/support/infra';
import { fillHistory, historyCounts, type HistoryShape } from '../lib/history-fill';
import { LatencyBook, publishFor, summary } from '../lib/live';
import { drainByOffsets, load1 } from '../lib/offsets';
import { startPrivateMariadb, type PrivateMariadb } from '../lib/private-mariadb';
import { runReadProbe } from '../lib/read-probe';
import { cpuMeter } from '../lib/processes';
import { BENCH_ENV, KDS_SECRET, publishBacklog, startKds, type Stage } from '../lib/stack';
import { round } from './ceiling';
import { counterOf } from './cost';
import { NO_CONNECT_LIMITS } from './screens';
import type { BenchOptions, ScenarioResult } from './types';

const MERCHANTS = 2000;
const FULL_ORDERS_PER_DAY = 500_000;
const BACKLOG = 5000;
const PROBE_S = 15;

async function status(conn: mysql.Connection, name: string): Promise<string> {
  const [rows] = await conn.query<RowDataPacket[]>('SHOW GLOBAL STATUS LIKE ?', [name]);
  return String(rows[0]?.Value ?? '');
}

/** A database on the server, migrated; the stage's topic and settings root are new each time. */
async function stageOn(server: string, dbName: string, label: string): Promise<Stage> {
  const id = Math.random().toString(16).slice(2, 10);
  const topic = `${BENCH_ENV}_order_${label}_${id}`;
  const zkRoot = `/kds/${BENCH_ENV}${id}`;
  const url = `${server}${dbName}`;
  await migrate(url, silentLogger);
  await createTopic(topic, 4);
  const pool = mysql.createPool({ uri: url, connectionLimit: 2 });
  return {
    label, topic, groupId: `${topic}_kds`, zkRoot, db: { url, pool, drop: () => pool.end() },
    async cleanup() {
      await pool.end().catch(() => undefined);
      await deleteTopic(topic).catch(() => undefined);
      const zk = await connectZk(ZK_CONNECT);
      await removeTree(zk, zkRoot).catch(() => undefined);
      zk.close();
    },
  };
}

/**
 * The service's GC pauses between two scrapes of its /metrics, by kind: one of the things its
 * event-loop delay is made of. `over10ms` from the 10 ms bucket of prom-client's histogram.
 */
function gcBetween(before: string, after: string): Record<string, { n: number; ms: number; over10ms: number }> {
  const delta = (series: string): number => counterOf(after, series) - counterOf(before, series);
  return Object.fromEntries(['major', 'minor', 'incremental'].map((kind) => {
    const n = delta(`nodejs_gc_duration_seconds_count{kind="${kind}"}`);
    return [kind, {
      n,
      ms: round(delta(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`) * 1000, 1),
      over10ms: n - delta(`nodejs_gc_duration_seconds_bucket{le="0.01",kind="${kind}"}`),
    }];
  }));
}

async function measure(
  label: string, db: PrivateMariadb, dbName: string, sim: OrderServiceSimulator, opts: BenchOptions, admin: mysql.Connection,
): Promise<Record<string, unknown>> {
  const stage = await stageOn(db.url, dbName, label);
  const prod = await producer();
  try {
    const idPrefix = `L${label}${Date.now().toString(36)}`;
    const startMs = Date.now() - 20 * 60_000;
    const backlog = placedOnly(generateTraffic({ orders: BACKLOG, seed: 5, merchants: MERCHANTS, idPrefix, startMs, spacingMs: 10 }));
    const live = generateTraffic({ orders: Math.ceil((500 * PROBE_S * 1.5) / 3), seed: 6, merchants: MERCHANTS, idPrefix: `${idPrefix}v`, startMs: Date.now(), spacingMs: 5 });
    await publishBacklog(stage.topic, backlog, inProcessWriter(sim));
    await writeSettings(stage.zkRoot, opts.settings);
    const kds = await startKds(stage, sim.url, { ...opts.kdsEnv, ...NO_CONNECT_LIMITS }, opts.kdsNodeArgs);
    try {
      const loadDrain = load1();
      const drainReads = Number(await status(admin, 'Innodb_buffer_pool_reads'));
      const cpu = cpuMeter({ kds: kds.pid, mariadb: db.pid() });
      const drain = await drainByOffsets(stage.groupId, stage.topic, backlog.length, 600_000, () => kds.child.assertAlive());
      const used = cpu();
      const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${kds.port}/metrics`)).text();
      const applied = counterOf(await scrape(), 'kds_events_total{outcome="applied"}');
      const diskReadsPerEvent = (Number(await status(admin, 'Innodb_buffer_pool_reads')) - drainReads) / applied;

      const merchants = [...new Set(backlog.map((s) => s.event.merchantId))];
      const readsBefore = Number(await status(admin, 'Innodb_buffer_pool_reads'));
      const loadProbe = load1();
      const book = new LatencyBook();
      const traffic = publishFor(prod, stage.topic, sim, live, opts.rate ?? 500, book, PROBE_S);
      // a failed probe must surface as itself: stop the publisher before the producer is closed
      // under it (its send would fail the process with "The producer is disconnected")
      const before = await scrape(); // the loop-delay gauge covers the time since the last scrape: start it here
      const probe = await runReadProbe(kds.port, { secret: KDS_SECRET, env: BENCH_ENV }, merchants, PROBE_S).finally(() => traffic.stop());
      const after = await scrape();
      const serviceLoopDelayP99Ms = round(counterOf(after, 'nodejs_eventloop_lag_p99_seconds') * 1000, 1);
      const serviceGc = gcBetween(before, after);
      await traffic.done;
      const diskReads = Number(await status(admin, 'Innodb_buffer_pool_reads')) - readsBefore;
      // the benchmark's own orders (placed only, their dishes open for ever) must not pile up on the
      // boards of a history database that later runs reuse
      await stage.db.pool.query('DELETE FROM dishes WHERE order_id LIKE ?', [`${idPrefix}%`]);
      await stage.db.pool.query('DELETE FROM orders WHERE order_id LIKE ?', [`${idPrefix}%`]);
      return {
        label,
        drainPerSec: round(drain.perSecond),
        kdsCpuMsPerEvent: round(((used.kdsCpuSeconds ?? 0) * 1000) / applied, 3),
        mariadbCpuMsPerEvent: round(((used.mariadbCpuSeconds ?? 0) * 1000) / applied, 3),
        load1Drain: loadDrain,
        diskReadsPerEvent: round(diskReadsPerEvent, 3),
        board: summary(probe.board),
        snapshot: summary(probe.snapshot),
        snapshotUpgrade: summary(probe.snapshotUpgrade),
        snapshotAfterUpgrade: summary(probe.snapshotAfterUpgrade),
        stats: summary(probe.stats),
        serviceLoopDelayP99Ms,
        serviceGc,
        probeLoopDelayP99Ms: probe.probeLoopDelayP99Ms,
        bufferPoolDiskReadsDuringProbes: diskReads,
        load1Probes: loadProbe,
      };
    } finally {
      await kds.stop();
    }
  } finally {
    await prod.disconnect();
    await stage.cleanup();
  }
}

async function explainBoard(conn: mysql.Connection, merchantId: string): Promise<unknown[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `EXPLAIN SELECT o.order_id FROM orders o
      WHERE o.order_id IN (SELECT d.order_id FROM dishes d WHERE d.merchant_id = ? AND d.state IN ('WAITING', 'READY')
                             AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL 1 DAY)
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL 30 MINUTE)
      ORDER BY o.rush DESC, o.placed_at, o.order_id`, [merchantId]);
  return rows.map((r) => `${String(r.table)}:${String(r.type)}:${String(r.key)}:${String(r.rows)}:${String(r.Extra)}`);
}

export async function history(opts: BenchOptions): Promise<ScenarioResult> {
  const scale = opts.scale ?? 1;
  const shape: HistoryShape = { merchants: MERCHANTS, ordersPerDay: Math.round(FULL_ORDERS_PER_DAY * scale), days: opts.days ?? 7 };
  const dbName = `kds_hist_${shape.days}d_${shape.ordersPerDay}`;
  const db = await startPrivateMariadb('history', opts.mariadbArgs, true);
  const sim = await createOrderServiceSimulator();
  let admin = await mysql.createConnection({ uri: db.url });
  try {
    const say = (m: string): void => void process.stderr.write(`${m}\n`);
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${dbName}`);
    await migrate(`${db.url}${dbName}`, silentLogger);
    const [done] = await admin.query<RowDataPacket[]>(`SELECT value FROM ${dbName}.job_state WHERE name = 'bench.history'`);
    const fillStarted = performance.now();
    if (done.length === 0) {
      const conn = await mysql.createConnection({ uri: `${db.url}${dbName}` });
      try {
        await fillHistory(conn, shape, say);
      } finally {
        await conn.end();
      }
    }
    const fillSeconds = done.length === 0 ? round((performance.now() - fillStarted) / 1000) : 'reused';
    const conn = await mysql.createConnection({ uri: `${db.url}${dbName}` });
    const counts = await historyCounts(conn);
    const [sizes] = await conn.query<RowDataPacket[]>(
      'SELECT ROUND(SUM(data_length + index_length) / 1048576) AS mb FROM information_schema.tables WHERE table_schema = DATABASE()');
    await conn.end();

    const empty = `kds_hist_empty_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE ${empty}`);
    const results: Record<string, unknown>[] = [];
    results.push(await measure('empty', db, empty, sim, opts, admin));
    results.push(await measure('history', db, dbName, sim, opts, admin));
    const warmConn = await mysql.createConnection({ uri: `${db.url}${dbName}` });
    const explainWarm = await explainBoard(warmConn, 'M0001');
    await warmConn.end();

    await admin.end();
    const t0 = performance.now();
    await db.restart();
    const restartSeconds = round((performance.now() - t0) / 1000);
    admin = await mysql.createConnection({ uri: db.url });
    const afterRestart = await measure('history-after-restart', db, dbName, sim, opts, admin);
    afterRestart.bufferPoolLoadStatus = await status(admin, 'Innodb_buffer_pool_load_status');
    results.push(afterRestart);

    await admin.end();
    await db.restart(['--innodb-buffer-pool-load-at-startup=0']);
    admin = await mysql.createConnection({ uri: db.url });
    const cold = await mysql.createConnection({ uri: `${db.url}${dbName}` });
    const explainCold = await explainBoard(cold, 'M0001');
    await cold.end();
    results.push(await measure('history-cold-restart', db, dbName, sim, opts, admin));
    await admin.query(`DROP DATABASE ${empty}`);

    const rate = (i: number): number => Number(results[i]?.drainPerSec);
    const p99 = (r: Record<string, unknown>, k: string): number => (r[k] as { p99Ms: number }).p99Ms;
    return {
      scenario: 'history',
      shape, fillSeconds, counts, databaseMb: Number(sizes[0]?.mb ?? 0), restartSeconds,
      runs: results,
      explainBoardWarm: explainWarm,
      explainBoardCold: explainCold,
      drainRatioToEmpty: round(rate(1) / rate(0), 2),
      target: 'drain >= 0.9 x empty; board and snapshot p99 <= 50 ms; stats p99 <= 100 ms; also after a restart',
      met: rate(1) / rate(0) >= 0.9 &&
        results.slice(1).every((r) => p99(r, 'board') <= 50 && p99(r, 'snapshot') <= 50 && p99(r, 'stats') <= 100),
    };
  } finally {
    await admin.end().catch(() => undefined);
    await sim.close();
    await db.stop();
  }
}

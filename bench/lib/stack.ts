// What every benchmark scenario needs from the real stack: a fresh database, a topic, live
// settings written to ZooKeeper before the service starts, a backlog published, and the KDS
// service (src/main.ts, unchanged) running in its own process so its CPU and memory are its own.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { OrderWriter } from '../../simulator/traffic';
import { runTraffic } from '../../simulator/traffic';
import type { Step } from '../../simulator/types';
import { freshDatabase, freshDatabaseOn, type TestDb } from '../../test/support/db';
import { KAFKA_BROKERS, ZK_CONNECT } from '../../test/support/infra';
import { createTopic, deleteTopic, producer } from '../../test/support/kafka';
import { REPO, spawnTs, type Child } from '../../test/support/processes';
import { connectZk, removeTree } from '../../test/support/zk';
import { memoryOf } from './processes';

export const BENCH_ENV = 'bench';
/**
 * KDS_AUTH_SECRET of the benchmarked service (tokens for its WebSocket are signed with it):
 * random per run, as the service refuses well-known secrets.
 */
export const KDS_SECRET = randomBytes(48).toString('base64');

export interface Stage {
  label: string;
  topic: string;
  groupId: string;
  zkRoot: string;
  db: TestDb;
  cleanup(): Promise<void>;
}

/** `server`: a MariaDB of the benchmark's own (bench/lib/private-mariadb.ts); the shared one by default. */
export async function prepareStage(label: string, partitions: number, server?: string): Promise<Stage> {
  const id = randomBytes(4).toString('hex');
  const topic = `${BENCH_ENV}_order_${label}_${id}`;
  const zkRoot = `/kds/${BENCH_ENV}${id}`;
  const fresh = server === undefined ? freshDatabase(`bench_${label}`) : freshDatabaseOn(server, `bench_${label}`);
  const [db] = await Promise.all([fresh, createTopic(topic, partitions)]);
  return {
    label, topic, groupId: `${topic}_kds`, zkRoot, db,
    async cleanup() {
      await db.drop().catch(() => undefined);
      await deleteTopic(topic).catch(() => undefined);
      const zk = await connectZk(ZK_CONNECT);
      await removeTree(zk, zkRoot).catch(() => undefined);
      zk.close();
    },
  };
}

export async function publishBacklog(topic: string, steps: readonly Step[], writer: OrderWriter): Promise<number> {
  const p = await producer();
  try {
    const r = await runTraffic({ producer: p, writer, topic, env: BENCH_ENV, steps, mode: { kind: 'burst' }, batchSize: 1000 });
    return r.durationMs;
  } finally {
    await p.disconnect();
  }
}

interface WindowRow extends RowDataPacket {
  n: number;
  span_us: number | null;
}

/** Orders written so far, and the time between the first and the last write (server clock). */
export async function appliedWindow(db: TestDb): Promise<{ n: number; seconds: number }> {
  const [rows] = await db.pool.query<WindowRow[]>(
    'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(created_at)) AS span_us FROM orders',
  );
  return { n: Number(rows[0]?.n ?? 0), seconds: Number(rows[0]?.span_us ?? 0) / 1e6 };
}

export interface Kds {
  child: Child;
  port: number;
  pid: number;
  metric(name: string): Promise<number>;
  /** The /metrics page as text. */
  metricsText(): Promise<string>;
  memory(): { peakRssMb: number; rssMb: number };
  stop(): Promise<void>;
}

// dist/ sits next to migrations/ and src/ (the service finds them relative to itself)
const BUILD_DIR = '.cache/bench/dist';
let built: Promise<string> | undefined;

/**
 * The service as production runs it (`npm start` runs tsc output, not tsx): measured CPU and RSS
 * must not include the TypeScript loader. Built once per benchmark run into its own directory so
 * the shared dist/ is left alone; tsc emits even if another file in the tree is mid-edit.
 */
export function buildService(): Promise<string> {
  // KDS_BENCH_NO_BUILD=1 reuses the last build (e.g. to measure a locally patched copy)
  if (process.env.KDS_BENCH_NO_BUILD === '1') built ??= Promise.resolve(path.join(REPO, BUILD_DIR, 'main.js'));
  built ??= new Promise((resolve, reject) => {
    execFile(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: REPO }, () => {
      const main = path.join(REPO, BUILD_DIR, 'main.js');
      for (const dir of ['migrations', 'src']) {
        const link = path.join(REPO, BUILD_DIR, '..', dir);
        if (!existsSync(link)) symlinkSync(path.join(REPO, dir), link);
      }
      if (existsSync(main)) resolve(main);
      else reject(new Error(`bench: building the service into ${BUILD_DIR} failed`));
    });
  });
  return built;
}

/** Starts the service (built src/main.ts) against the stage; resolves once it consumes. */
export async function startKds(stage: Stage, orderServiceUrl: string, extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Kds> {
  const child = spawnTs(await buildService(), {
    KDS_ENV: BENCH_ENV,
    KAFKA_BROKERS: KAFKA_BROKERS.join(','),
    KAFKA_ORDER_TOPIC: stage.topic,
    KAFKA_GROUP_ID: stage.groupId,
    KAFKA_FROM_BEGINNING: 'true',
    MYSQL_URL: stage.db.url,
    ZOOKEEPER_CONNECT: ZK_CONNECT,
    ZOOKEEPER_ROOT: stage.zkRoot,
    ORDER_SERVICE_URL: orderServiceUrl,
    ALERT_EMAIL_TO: 'bench@example.com',
    KDS_AUTH_SECRET: KDS_SECRET,
    HTTP_PORT: '0',
    ...extraEnv,
  }, nodeArgs);
  // field order in a log line is not fixed (pino writes msg last): match both fields anywhere
  const m = await child.waitLine(/^(?=.*"msg":"http listening")(?=.*"port":(\d+))/, 60_000);
  await child.waitLine(/"msg":"service started"/, 60_000);
  const port = Number(m[1]);
  const pid = child.process.pid as number;
  return {
    child, port, pid,
    metricsText: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    memory: () => memoryOf(pid),
    stop: () => child.stop(),
  };
}

/** Polls until cond() holds (every intervalMs). */
export async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number, kds?: Kds, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    kds?.child.assertAlive();
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits until the service has finished n records, by its own counter (`kds_events_total` on
 * /metrics, every 500 ms). Polling the database instead (COUNT, MIN and MAX over `orders`, which
 * has no index on created_at) scanned the table being written 5 times a second: MariaDB work
 * charged to the KDS. The rate itself comes from appliedWindow (commit timestamps), read once.
 */
export async function untilFinished(kds: Kds, n: number, what: string, timeoutMs: number): Promise<void> {
  await until(what, async () => (await kds.metric('kds_events_total')) >= n, timeoutMs, kds, 500);
}

interface CountRow extends RowDataPacket {
  orders: number;
  order_changes: number;
  retry_entries: number;
  dead_letters: number;
  last_error: string | null;
}

/** What the service left in the database (to tell "slow" from "parked" or "dead-lettered"). */
export async function stageCounts(db: TestDb): Promise<Record<string, number | string | null>> {
  const [rows] = await db.pool.query<CountRow[]>(
    `SELECT (SELECT COUNT(*) FROM orders) AS orders,
            (SELECT COUNT(*) FROM change_log WHERE kind = 'order') AS order_changes,
            (SELECT COUNT(*) FROM retry_entries) AS retry_entries,
            (SELECT COUNT(*) FROM dead_letters) AS dead_letters,
            (SELECT MAX(last_error) FROM retry_entries) AS last_error`,
  );
  const r = rows[0];
  return {
    orders: Number(r?.orders ?? 0),
    orderChanges: Number(r?.order_changes ?? 0),
    retryEntries: Number(r?.retry_entries ?? 0),
    deadLetters: Number(r?.dead_letters ?? 0),
    lastRetryError: r?.last_error ?? null,
  };
}

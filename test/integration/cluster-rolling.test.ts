// A rolling restart of three KDS instances (child processes, `src/main.ts`) under a steady stream:
// each in turn is sent SIGTERM, drains and exits 0, and is replaced by a new instance. A kitchen
// screen on each instance follows the busiest merchant and, when its instance goes, reconnects to
// the replacement with afterSeq, as a real screen does. Afterwards: nothing lost (every order at
// its final version), nothing doubled (per order, logged versions strictly rise), every screen saw
// every seq exactly once, and the order service (the simulator, in its own process) never saw
// more than the cluster-wide caps.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { spawnSimulator, type SimulatorProcess } from '../support/processes';
import { signToken } from '../../src/auth/token';
import { generateTraffic } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';
import { spawnKds, sumOfLimits, type KdsProcess } from '../support/cluster';
import { freshDatabase, type TestDb } from '../support/db';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { Screen } from '../support/screens';
import { TEST_KEY, testEnv } from '../support/service';
import { waitFor } from '../support/wait';
import { connectZk, mkdirp, removeTree, type Zk } from '../support/zk';
import { rateBound } from '../support/sim-rate';

const CAP_CONCURRENT = 12;
const CAP_RPS = 150;
const MERCHANT = 'M0001';

let db: TestDb;
let sim: SimulatorProcess;
let prod: Producer;
let zk: Zk;
const topic = randomTopic('rolling');
const root = `/kds-test/rolling_${randomBytes(4).toString('hex')}`;
const instances: KdsProcess[] = [];
const screens: Screen[] = [];

before(async () => {
  [db, sim, zk] = await Promise.all([freshDatabase('rolling'), spawnSimulator(), connectZk(), createTopic(topic, 6)]);
  prod = await makeProducer();
  await mkdirp(zk, `${root}/settings`);
  await zk.create(`${root}/settings/order-service.max-concurrency`, String(CAP_CONCURRENT), 0);
  await zk.create(`${root}/settings/order-service.max-rps`, String(CAP_RPS), 0);
});

after(async () => {
  for (const s of screens) await s.close().catch(() => undefined);
  for (const i of instances) if (i.alive()) i.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.exited));
  await prod?.disconnect();
  await sim?.stop();
  await removeTree(zk, root).catch(() => undefined);
  zk?.close();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

async function start(name: string): Promise<KdsProcess> {
  const k = await spawnKds(name, testEnv({
    dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId: `${topic}_kds`,
    env: { ZOOKEEPER_ROOT: root, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_FROM_BEGINNING: 'true' },
  }));
  instances.push(k);
  return k;
}

/** One screen's view across reconnections: every change frame's seq, in arrival order. */
class FollowingScreen {
  readonly seqs: number[] = [];
  snapshotSeq: number | undefined;
  private current: Screen | undefined;
  private taken = 0;
  constructor(readonly name: string) {}

  async attach(k: KdsProcess): Promise<void> {
    const tok = signToken({ role: 'kitchen', merchantId: MERCHANT }, TEST_KEY);
    const after = this.snapshotSeq === undefined ? '' : `&afterSeq=${this.last()}`;
    const s = new Screen(`ws://127.0.0.1:${k.port}/ws?token=${tok}${after}`);
    screens.push(s);
    this.current = s;
    this.taken = 0;
    await s.opened;
  }

  /** Moves the frames the current connection got so far into seqs. */
  collect(): void {
    const s = this.current;
    if (s === undefined) return;
    for (const f of s.frames.slice(this.taken)) {
      if (f.type === 'snapshot') this.snapshotSeq ??= f.seq;
      else if (f.type === 'order' || f.type === 'dish') this.seqs.push(f.seq);
    }
    this.taken = s.frames.length;
  }

  last(): number {
    this.collect();
    return this.seqs.at(-1) ?? this.snapshotSeq ?? 0;
  }
}

async function merchantSeq(): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(seq), 0) AS s FROM change_log WHERE merchant_id = ?', [MERCHANT]);
  return Number(rows[0]?.s ?? 0);
}

test('rolling restart under a steady stream: 0 lost, 0 doubled, screens gap-free, caps held', async (t) => {
  await sim.admin.setGlobal({ latencyMs: { min: 5, max: 15 } });
  // more steps than the stream needs: it runs until the last replacement is up (and a little
  // longer), then stops; the expectations cover what was actually published
  const steps = generateTraffic({ orders: 3000, seed: 21, merchants: 4, idPrefix: `RR${Date.now() % 100000}-` });
  const names = ['a', 'b', 'c'];
  const live = await Promise.all(names.map((n) => start(n)));
  await waitFor('three members share the caps', async () => {
    const s = await sumOfLimits(live);
    return s.concurrency === CAP_CONCURRENT && s.perSecond === CAP_RPS && (await live[2]!.limits()).concurrency === 4;
  }, 30_000);
  const followers = names.map((n) => new FollowingScreen(n));
  for (const [i, f] of followers.entries()) await f.attach(live[i]!);

  const stop = new AbortController();
  let done = false;
  const streamStart = Date.now();
  const sending = runTraffic({ producer: prod, writer: sim.admin, topic, env: 'test', steps, mode: { kind: 'rate', perSecond: 80 }, signal: stop.signal })
    .finally(() => {
      done = true;
      t.diagnostic(`stream ran ${Date.now() - streamStart} ms`);
    });
  const exits: Array<number | null> = [];
  for (const [i, name] of names.entries()) {
    await waitFor(`stream flowing before ${name} goes`, async () => (await merchantSeq()) > (i + 1) * 150, 60_000);
    const old = live[i]!;
    const t0 = Date.now();
    old.kill('SIGTERM');
    exits.push(await old.exited);
    const t1 = Date.now();
    followers[i]!.collect();
    const fresh = await start(`${name}2`);
    live[i] = fresh;
    await followers[i]!.attach(fresh);
    t.diagnostic(`${name}: drained and exited in ${t1 - t0} ms, replacement up in ${Date.now() - t1} ms`);
  }
  assert.equal(done, false, 'the stream was still running when the last replacement came up');
  await new Promise((r) => setTimeout(r, 3000)); // the replacement works the stream for a moment
  stop.abort();
  const traffic = await sending;
  assert.deepEqual(exits, [0, 0, 0], 'each instance drained and exited 0 on SIGTERM');

  await waitFor('every order at its final version', async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT order_id, version FROM orders');
    return rows.length === traffic.orders.size && rows.every((r) => traffic.orders.get(String(r.order_id))?.version === Number(r.version));
  }, 120_000);
  const finalSeq = await merchantSeq();
  await waitFor('every screen at the last seq', () => followers.every((f) => f.last() === finalSeq), 30_000);

  for (const f of followers) {
    const from = f.snapshotSeq as number;
    const expected = Array.from({ length: finalSeq - from }, (_, k) => from + 1 + k);
    assert.deepEqual(f.seqs, expected, `screen ${f.name}: every seq after its snapshot exactly once, across the replacement`);
  }
  const [log] = await db.pool.query<RowDataPacket[]>("SELECT order_id, payload FROM change_log WHERE kind = 'order' ORDER BY merchant_id, seq");
  const last = new Map<string, number>();
  for (const r of log) {
    const v = (JSON.parse(String(r.payload)) as { version: number }).version;
    const id = String(r.order_id);
    assert.ok(v > (last.get(id) ?? 0), `order ${id} logged version ${v} after ${last.get(id)}`);
    last.set(id, v);
  }
  assert.equal(last.size, traffic.orders.size);

  const stats = await sim.admin.stats();
  t.diagnostic(`${traffic.events} events; simulator: ${stats.calls} reads, peak in flight ${stats.peakConcurrency}/${CAP_CONCURRENT}, peak per second ${stats.peakRps}/${CAP_RPS}, simulator loop stall ${stats.maxLoopDelayMs} ms`);
  assert.ok(stats.peakConcurrency <= CAP_CONCURRENT, `peak in flight ${stats.peakConcurrency}`);
  const rate = rateBound(CAP_RPS, stats);
  assert.ok(rate.ok, rate.message);
});

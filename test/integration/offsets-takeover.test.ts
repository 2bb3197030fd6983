// Orders are not lost when a partition changes hands before its first commit, or when partitions
// are added (issue 17), with KDS instances as child processes (`src/main.ts`) of one group on a
// topic whose group starts at "now" (KAFKA_FROM_BEGINNING=false, the production default):
//   1. two instances, one probe order so that only partition 1 has a committed offset; the owner
//      of partition 0 is SIGKILLed while orders arrive on both partitions: every order applied once;
//   2. the topic grows from 2 to 4 partitions while the service runs and orders arrive on the new
//      partitions: every order applied once, within a bounded wait (the time is reported);
//   3. a restart afterwards replays nothing: the new instance applies only what is new.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Message, Producer } from 'kafkajs';
import { spawnKds, type KdsProcess } from '../support/cluster';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, record } from '../support/events';
import { createTopic, deleteTopic, kafkaClient, producer as makeProducer, randomTopic } from '../support/kafka';
import { count, loggedVersions } from '../support/orders';
import { spawnSimulator, type SimulatorProcess } from '../support/processes';
import { testEnv } from '../support/service';
import { waitFor } from '../support/wait';
import { connectZk, removeTree, type Zk } from '../support/zk';

let db: TestDb;
let sim: SimulatorProcess;
let zk: Zk;
const producers: Producer[] = [];
const topic = randomTopic('takeover');
const groupId = `${topic}_kds`;
const root = `/kds-test/takeover_${randomBytes(4).toString('hex')}`;
const run = randomBytes(3).toString('hex');
const instances: KdsProcess[] = [];
/** Every order published, to check each is applied exactly once at the end of each phase. */
const published: string[] = [];

before(async () => {
  [db, sim, zk] = await Promise.all([freshDatabase('takeover'), spawnSimulator(), connectZk(), createTopic(topic, 2)]);
});

after(async () => {
  for (const i of instances) if (i.alive()) i.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.exited));
  for (const p of producers) await p.disconnect().catch(() => undefined);
  await sim?.stop();
  await removeTree(zk, root).catch(() => undefined);
  zk?.close();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

async function start(name: string): Promise<KdsProcess> {
  const k = await spawnKds(name, testEnv({
    dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId,
    env: { ZOOKEEPER_ROOT: root, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_FROM_BEGINNING: 'false' },
  }));
  instances.push(k);
  return k;
}

async function metricsOf(k: KdsProcess): Promise<string> {
  return (await fetch(`http://127.0.0.1:${k.port}/metrics`)).text();
}

/** The partitions an instance exports lag for: exactly those it owns (src/metrics/assignment.ts). */
async function owned(k: KdsProcess): Promise<number[]> {
  const text = await metricsOf(k);
  return [...text.matchAll(/^kds_consumer_lag\{[^}]*partition="(\d+)"[^}]*\} /gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

async function counter(k: KdsProcess, series: string): Promise<number> {
  const line = (await metricsOf(k)).split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`${k.name}: no ${series}`);
  return Number(line.slice(series.length + 1));
}

async function committed(): Promise<Map<number, string>> {
  const admin = kafkaClient('kds-test-takeover').admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** A producer with fresh metadata (one made before partitions were added would not know them). */
async function freshProducer(): Promise<Producer> {
  const p = await makeProducer();
  producers.push(p);
  return p;
}

/** Orders known to the order service, each published to the partition given. */
async function publish(p: Producer, prefix: string, partition: number, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${run}-p${partition}-${i}`);
  const bodies = ids.map((id) => body(id, 1));
  await sim.admin.putOrders(bodies);
  const messages: Message[] = bodies.map((b) => ({ ...record(eventFor(b, 'ORDER_PLACED')), partition }));
  await p.send({ topic, acks: -1, messages });
  published.push(...ids);
  return ids;
}

const appliedCount = (ids: readonly string[]): Promise<number> =>
  count(db.pool, `SELECT COUNT(*) AS n FROM orders WHERE order_id IN (${ids.map(() => '?').join(',')})`, [...ids]);

/** Every order published so far applied exactly once (one change logged, at version 1). */
async function assertEachAppliedOnce(): Promise<void> {
  const [rows] = await db.pool.query<import('mysql2/promise').RowDataPacket[]>(
    "SELECT order_id, COUNT(*) AS n FROM change_log WHERE kind = 'order' GROUP BY order_id");
  const logged = new Map(rows.map((r) => [String(r.order_id), Number(r.n)]));
  const missing = published.filter((id) => !logged.has(id));
  const doubled = published.filter((id) => (logged.get(id) ?? 0) > 1);
  assert.deepEqual({ missing, doubled }, { missing: [], doubled: [] });
  for (const id of published.slice(0, 3)) assert.deepEqual(await loggedVersions(db.pool, id), [1]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a group that starts at "now" loses no order', () => {
  let survivor: KdsProcess;
  let killed: KdsProcess;

  it('the owner of a partition with no committed offset is SIGKILLed while orders arrive on both partitions', async (t) => {
    const [a, b] = await Promise.all([start('a'), start('b')]);
    await waitFor('each instance owns one partition', async () => {
      const [oa, ob] = await Promise.all([owned(a), owned(b)]);
      return oa.length === 1 && ob.length === 1;
    }, 120_000, 500);
    const prod = await freshProducer();
    const probe = await publish(prod, 'PROBE', 1, 1);
    await waitFor('the probe applied', async () => (await appliedCount(probe)) === 1, 60_000);
    await waitFor('partition 1 committed, partition 0 not', async () => {
      const c = await committed();
      return c.get(1) === '1' && c.get(0) === '-1';
    }, 30_000, 200);

    const owner = (await owned(a)).includes(0) ? a : b;
    survivor = owner === a ? b : a;
    killed = owner;
    owner.kill('SIGKILL');
    await owner.exited;
    t.diagnostic(`killed ${owner.name} (owner of partition 0); ${survivor.name} survives`);
    // orders on both partitions before, during and after the takeover (session timeout 6 s)
    const sent: string[] = [];
    for (let round = 0; round < 8; round++) {
      sent.push(...await publish(prod, `K${round}`, 0, 3), ...await publish(prod, `K${round}`, 1, 2));
      await sleep(1_500);
    }
    await waitFor(`all ${sent.length} orders applied`, async () => (await appliedCount(sent)) === sent.length, 120_000, 500);
    await assertEachAppliedOnce();
    await waitFor('partition 0 committed at its end', async () => (await committed()).get(0) === '24', 30_000, 200);
  });

  it('partitions added while the service runs are consumed within seconds, every order once', async (t) => {
    const second = await start('c');
    await waitFor('two instances share the partitions', async () => {
      const [o1, o2] = await Promise.all([owned(survivor), owned(second)]);
      return o1.length === 1 && o2.length === 1;
    }, 120_000, 500);
    const admin = kafkaClient('kds-test-grow').admin();
    await admin.connect();
    const grownAt = Date.now();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    const prod = await freshProducer();
    const onNew: string[] = [];
    const all: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const partition of [2, 3]) onNew.push(...await publish(prod, `G${round}`, partition, 3));
      for (const partition of [0, 1]) all.push(...await publish(prod, `G${round}`, partition, 1));
      await sleep(1_000);
    }
    all.push(...onNew);
    const firstNew = onNew.slice(0, 3);
    await waitFor('the first orders on a new partition applied', async () => (await appliedCount(firstNew)) === 3, 120_000, 250);
    const firstSeconds = (Date.now() - grownAt) / 1000;
    await waitFor(`all ${all.length} orders applied`, async () => (await appliedCount(all)) === all.length, 120_000, 250);
    const allSeconds = (Date.now() - grownAt) / 1000;
    t.diagnostic(`partitions added → first order on a new partition applied: ${firstSeconds.toFixed(1)} s; all ${all.length}: ${allSeconds.toFixed(1)} s`);
    await assertEachAppliedOnce();
    await waitFor('the new partitions committed', async () => {
      const c = await committed();
      return c.get(2) === '15' && c.get(3) === '15';
    }, 30_000, 200);
    const owners = [...await owned(survivor), ...await owned(second)].sort();
    assert.deepEqual(owners, [0, 1, 2, 3], 'the two instances own the four partitions between them');
  });

  it('a restart afterwards replays nothing already applied', async () => {
    const stopping = instances.filter((i) => i !== killed);
    for (const k of stopping) k.kill('SIGTERM');
    const codes = await Promise.all(stopping.map((i) => i.exited));
    assert.ok(codes.every((c) => c === 0), `drained and exited 0: ${JSON.stringify(codes)}`);
    const fresh = await start('d');
    await waitFor('the new instance owns all four partitions', async () => (await owned(fresh)).length === 4, 120_000, 500);
    const prod = await freshProducer();
    const markers: string[] = [];
    for (const partition of [0, 1, 2, 3]) markers.push(...await publish(prod, 'MARK', partition, 1));
    await waitFor('the markers applied', async () => (await appliedCount(markers)) === 4, 60_000, 250);
    await waitFor('the markers counted', async () => (await counter(fresh, 'kds_events_total{outcome="applied"}')) === 4, 10_000, 250);
    // what it handled is exactly the four markers: nothing earlier was delivered again
    assert.equal(await counter(fresh, 'kds_events_total{outcome="duplicate"}'), 0);
    assert.equal(await counter(fresh, 'kds_events_total{outcome="parked"}'), 0);
    assert.equal(await counter(fresh, 'kds_consumer_offset_resets_total{reason="no_commit"}'), 0, 'every partition had a committed offset');
    await assertEachAppliedOnce();
  });
});

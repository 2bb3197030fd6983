// Where the group reads a partition from (docs/operations.md), on the real stack with the
// service in-process: a new group starts at the moment of its first start (records stamped before
// it are not applied, and the position is committed at once), and a committed offset that
// retention passed resumes at the earliest record still there, counted in
// kds_consumer_offset_resets_total{reason="out_of_range"}.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Message, Producer } from 'kafkajs';
import type { Service } from '../../src/service';
import { recordFirstStart } from '../../src/offsets/positions';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, record } from '../support/events';
import { createTopic, deleteTopic, kafkaClient, producer, randomTopic } from '../support/kafka';
import { count, loggedVersions } from '../support/orders';
import { startTestService } from '../support/service';
import { waitFor } from '../support/wait';

let db: TestDb;
let sim: OrderServiceSimulator;
let prod: Producer;
const topics: string[] = [];
const running = new Set<Service>();
const run = randomBytes(3).toString('hex');

before(async () => {
  [db, sim, prod] = await Promise.all([freshDatabase('offsets'), createOrderServiceSimulator(), producer()]);
});

after(async () => {
  for (const s of running) await s.close().catch(() => undefined);
  await prod?.disconnect();
  await sim?.close();
  await db?.drop();
  for (const t of topics) await deleteTopic(t).catch(() => undefined);
});

async function newTopic(partitions: number): Promise<string> {
  const t = randomTopic('offsets');
  topics.push(t);
  await createTopic(t, partitions);
  return t;
}

/** Orders known to the order service, published to the partition given, optionally stamped in the past. */
async function publishOrders(topic: string, ids: string[], partition: number, timestamp?: number): Promise<void> {
  const bodies = ids.map((id) => body(id, 1));
  sim.putOrders(bodies);
  const messages: Message[] = bodies.map((b) => ({
    ...record(eventFor(b, 'ORDER_PLACED')), partition, ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
  }));
  await prod.send({ topic, acks: -1, messages });
}

async function start(topic: string, groupId: string): Promise<Service> {
  const { service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId, env: { KAFKA_FROM_BEGINNING: 'false' } });
  running.add(service);
  return service;
}

async function stop(s: Service): Promise<void> {
  running.delete(s);
  await s.close();
}

async function resets(s: Service, reason: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).text();
  const m = new RegExp(`^kds_consumer_offset_resets_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return Number(m?.[1] ?? NaN);
}

async function committed(groupId: string, topic: string): Promise<Map<number, string>> {
  const admin = kafkaClient('kds-test-offsets').admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

const applied = (ids: string[]): Promise<number> =>
  count(db.pool, `SELECT COUNT(*) AS n FROM orders WHERE order_id IN (${ids.map(() => '?').join(',')})`, ids);

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${run}-${i}`);

describe('where a partition starts', () => {
  it('a new group starts at its first start: records stamped before it are skipped, the position is committed at once', async () => {
    const topic = await newTopic(2);
    const groupId = `test_kds_floor_${run}`;
    const old = [ids('OLD0', 3), ids('OLD1', 3)] as const;
    // stamped ten minutes ago: history from before this deployment existed
    const tenMinutesAgo = Date.now() - 600_000;
    await publishOrders(topic, old[0], 0, tenMinutesAgo);
    await publishOrders(topic, old[1], 1, tenMinutesAgo);
    const s = await start(topic, groupId);
    const fresh = [ids('NEW0', 3), ids('NEW1', 3)] as const;
    await publishOrders(topic, fresh[0], 0);
    await publishOrders(topic, fresh[1], 1);
    await waitFor('the new orders applied', async () => (await applied([...fresh[0], ...fresh[1]])) === 6, 60_000);
    assert.equal(await applied([...old[0], ...old[1]]), 0, 'no order from before the first start was applied');
    // each partition entered once at the floor (3 old records skipped), committed up to its end
    await waitFor('both partitions committed at their end', async () => {
      const c = await committed(groupId, topic);
      return c.get(0) === '6' && c.get(1) === '6';
    }, 30_000);
    assert.equal(await resets(s, 'no_commit'), 2);
    assert.equal(await resets(s, 'out_of_range'), 0);
    await stop(s);
  });

  it('a committed offset out of range resumes at the earliest record still there, counted, never at latest', async (t) => {
    const topic = await newTopic(1);
    const groupId = `test_kds_range_${run}`;
    const first = ids('R1', 5);
    let s = await start(topic, groupId);
    await publishOrders(topic, first, 0);
    await waitFor('the first orders applied', async () => (await applied(first)) === 5, 60_000);
    await waitFor('their offsets committed', async () => (await committed(groupId, topic)).get(0) === '5', 30_000);
    await stop(s);

    // while the group is away: 10 more records, and retention (here deleteRecords) takes the first 5 of them
    const gone = ids('R2', 5);
    const kept = ids('R3', 5);
    await publishOrders(topic, gone, 0);
    await publishOrders(topic, kept, 0);
    const admin = kafkaClient('kds-test-retention').admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords needs it loaded
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '10' }] });
    } finally {
      await admin.disconnect();
    }

    s = await start(topic, groupId);
    await waitFor('the records still there applied', async () => (await applied(kept)) === 5, 60_000);
    await waitFor('the reset counted', async () => (await resets(s, 'out_of_range')) === 1, 30_000);
    assert.equal(await applied(gone), 0, 'deleted records cannot be read (they are what the alert is about)');
    for (const id of [...first, ...kept]) assert.deepEqual(await loggedVersions(db.pool, id), [1], `${id} applied once`);
    await waitFor('committed at the end', async () => (await committed(groupId, topic)).get(0) === '15', 30_000);
    // kafkajs commits -2 (earliest) when it resets; read as a position, it needs no floor
    t.diagnostic(`no_commit after the reset: ${await resets(s, 'no_commit')}`);
    await stop(s);
  });

  it('instances starting together record one first start, and all of them read that one back', async () => {
    const topic = await newTopic(1);
    const groupId = `test_kds_together_${run}`;
    const admin = kafkaClient('kds-test-first-start').admin();
    await admin.connect();
    try {
      // five instances with clocks a second apart, all at once: one row wins, everyone reads it
      const base = Date.now();
      const seen = await Promise.all([0, 1, 2, 3, 4].map((i) =>
        recordFirstStart(db.pool, admin, { topic, groupId, fromBeginning: i % 2 === 1, now: new Date(base + i * 1000) })));
      const first = seen[0];
      assert.ok(first !== undefined);
      for (const s of seen) assert.deepEqual(s, first);
      assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM consumer_group_starts WHERE group_id = ?', [groupId]), 1);
      // a later start, with another KAFKA_FROM_BEGINNING, changes nothing
      assert.deepEqual(await recordFirstStart(db.pool, admin, { topic, groupId, fromBeginning: !first.fromBeginning, now: new Date() }), first);
    } finally {
      await admin.disconnect();
    }
  });
});

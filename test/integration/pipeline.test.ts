// The order-event pipeline end to end: real Kafka, MariaDB, the order-service simulator and the
// service's own composition root.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import type { Service } from '../../src/service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, publish, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { count, loggedVersions, orderRow, retryEntries } from '../support/orders';
import { startTestService } from '../support/service';
import { waitFor } from '../support/wait';

describe('order-event pipeline', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let service: Service;
  let prod: Producer;
  const topic = randomTopic('test_order');

  before(async () => {
    db = await freshDatabase('pipeline');
    sim = await createOrderServiceSimulator();
    await createTopic(topic, 4);
    prod = await producer();
    ({ service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: sim.url }));
  });

  after(async () => {
    await service?.close();
    await prod?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  it('parks later events behind a failing first event without calling the order service, then applies all in order', async () => {
    const id = 'O-firstfails';
    const v1 = body(id, 1, { status: 'PLACED' });
    const v2 = body(id, 2, { status: 'PAID' });
    const v3 = body(id, 3, { status: 'COMPLETED' });
    sim.putOrder(v1);
    // the consumer's read and the first two retries see 404; the third retry succeeds
    sim.setOrderSwitches(id, { notFoundFirstN: 3 });
    await publish(prod, topic, [record(eventFor(v1, 'ORDER_PLACED'))]);
    await waitFor('the first event parked', async () => (await retryEntries(db.pool, id)).length === 1);

    sim.putOrder(v2);
    sim.putOrder(v3);
    await publish(prod, topic, [record(eventFor(v2, 'ORDER_PAID')), record(eventFor(v3, 'ORDER_COMPLETED'))]);
    const parked = await waitFor('all three queued', async () => {
      const e = await retryEntries(db.pool, id);
      return e.length === 3 ? e : undefined;
    });
    assert.deepEqual(parked.map((e) => e.eventVersion), [1, 2, 3]);
    // every read so far is the consumer's first try plus the head's retries: the two later
    // events were parked without a call
    const head = parked[0];
    assert.ok(head !== undefined);
    if (head.status === 'PENDING') assert.equal(sim.callsFor(id), 1 + head.attempts);

    const entries = await waitFor('the queue drained', async () => {
      const e = await retryEntries(db.pool, id);
      return e.every((x) => x.status === 'DONE') ? e : undefined;
    });
    assert.deepEqual(entries.map((e) => e.status), ['DONE', 'DONE', 'DONE']);
    assert.equal(entries[0]?.attempts, 2, 'two failed retries before the success');
    assert.deepEqual(await orderRow(db.pool, id), { status: 'COMPLETED', version: 3 });
    // the later entries needed no read: the first success already fetched version 3
    assert.equal(sim.callsFor(id), 4);
    const versions = await loggedVersions(db.pool, id);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'never applied backwards');
    assert.equal(await count(db.pool, 'SELECT open_entries AS n FROM order_guards WHERE order_id = ?', [id]), 0);
  });

  it('applies an event delivered five times once', async () => {
    const id = 'O-fivetimes';
    const v1 = body(id, 1, { status: 'PLACED' });
    const v2 = body(id, 2, { status: 'PAID' });
    sim.putOrder(v1);
    sim.putOrder(v2);
    const rec = record(eventFor(v1, 'ORDER_PLACED'));
    // the next event of the same order lands after the five copies on the same partition, so
    // once it is applied every copy has been consumed
    await publish(prod, topic, [rec, rec, rec, rec, rec, record(eventFor(v2, 'ORDER_PAID'))]);
    await waitFor('the later event applied', async () => (await orderRow(db.pool, id))?.version === 2);
    // the first read already answers version 2 (the newest), so the four copies and the later
    // event are all recognised as applied without another read
    assert.equal(sim.callsFor(id), 1);
    assert.deepEqual(await loggedVersions(db.pool, id), [2]);
    assert.equal(
      await count(db.pool, 'SELECT COUNT(*) AS n FROM change_log WHERE order_id = ?', [id]),
      3,
      'one effect: the order and its two dishes logged once',
    );
    assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM dishes WHERE order_id = ?', [id]), 2);
  });

  it('retries stale replica answers (older version, no items) and applies them once fresh', async () => {
    const older = 'O-stale-older';
    const empty = 'O-stale-empty';
    for (const id of [older, empty]) {
      sim.putOrder(body(id, 1, { status: 'PLACED' }));
    }
    sim.putOrder(body(older, 2, { status: 'PAID' }));
    sim.setOrderSwitches(older, { staleFirstN: 2, staleMode: 'older' });
    sim.setOrderSwitches(empty, { staleFirstN: 2, staleMode: 'empty' });
    await publish(prod, topic, [
      record(eventFor(body(older, 2), 'ORDER_PAID')),
      record(eventFor(body(empty, 1), 'ORDER_PLACED')),
    ]);
    await waitFor('both applied', async () =>
      (await orderRow(db.pool, older))?.version === 2 && (await orderRow(db.pool, empty))?.version === 1);
    for (const id of [older, empty]) {
      const entries = await retryEntries(db.pool, id);
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.status, 'DONE');
      assert.equal(entries[0]?.attempts, 1, 'one failed retry, then fresh');
      assert.equal(sim.callsFor(id), 3);
      assert.equal((await loggedVersions(db.pool, id)).length, 1, 'the stale answers were never applied');
      assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM dishes WHERE order_id = ?', [id]), 2);
    }
  });

  it('dead-letters malformed and wrong-env records with their bytes and applies the valid ones around them', async () => {
    const ids = ['O-dl-a', 'O-dl-b', 'O-dl-c'];
    for (const id of ids) sim.putOrder(body(id, 1, { status: 'PLACED' }));
    const valid = ids.map((id) => record(eventFor(body(id, 1), 'ORDER_PLACED')));
    const notJson = { key: 'O-dl-x', value: Buffer.from([0x7b, 0xff, 0x00, 0x22]), headers: { env: 'test' } };
    const wrongEnv = { ...record(eventFor(body('O-dl-y', 1), 'ORDER_PLACED'), 'pre') };
    const keyMismatch = { ...record(eventFor(body('O-dl-z', 1), 'ORDER_PLACED')), key: 'O-dl-other' };
    const noVersion = { key: 'O-dl-w', value: JSON.stringify({ eventId: 'e1', type: 'ORDER_PAID', orderId: 'O-dl-w', merchantId: 'M0001', occurredAt: new Date().toISOString() }), headers: { env: 'test' } };
    // one partition: the bad records sit between the good ones
    await prod.send({
      topic, acks: -1,
      messages: [valid[0]!, notJson, wrongEnv, valid[1]!, keyMismatch, noVersion, valid[2]!].map((m) => ({ ...m, partition: 2 })),
    });
    await waitFor('valid ones applied', async () => {
      for (const id of ids) if ((await orderRow(db.pool, id))?.version !== 1) return false;
      return true;
    });
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT reason, raw_value, record_key FROM dead_letters WHERE partition_no = 2 ORDER BY offset_no',
    );
    assert.deepEqual(rows.map((r) => String(r.reason)), ['not_json', 'wrong_env', 'key_mismatch', 'invalid_field']);
    assert.deepEqual(Buffer.from(rows[0]?.raw_value as Buffer), notJson.value, 'the raw bytes are kept');
    assert.equal(String(rows[1]?.record_key), 'O-dl-y');
    assert.equal(await orderRow(db.pool, 'O-dl-y'), undefined, 'another environment\'s record is never applied');
  });

  it('survives an order-service outage across many orders: nothing lost, all applied when it returns', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `O-outage-${i}`);
    for (const id of ids) sim.putOrder(body(id, 1, { status: 'PLACED' }));
    sim.setGlobal({ errorStatus: 503 });
    try {
      await publish(prod, topic, ids.map((id) => record(eventFor(body(id, 1), 'ORDER_PLACED'))));
      await waitFor('all parked', async () =>
        (await count(db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE order_id LIKE 'O-outage-%'")) === ids.length);
    } finally {
      sim.setGlobal({ errorStatus: null });
    }
    await waitFor('all applied', async () =>
      (await count(db.pool, "SELECT COUNT(*) AS n FROM orders WHERE order_id LIKE 'O-outage-%' AND version = 1")) === ids.length, 60_000);
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE order_id LIKE 'O-outage-%' AND status <> 'DONE'"), 0);
  });
});

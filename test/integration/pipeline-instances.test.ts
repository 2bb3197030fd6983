// Per-order order with two instances in one consumer group and both running the retry job, while
// the order service fails a share of reads: every order ends at its final version, nothing is
// applied backwards, and no queue is left behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import type { Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { inProcessWriter } from '../../simulator/admin-client';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { count } from '../support/orders';
import { startTestService } from '../support/service';
import { waitFor } from '../support/wait';

describe('two instances in one group', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  const services: Service[] = [];
  const topic = randomTopic('test_order');

  before(async () => {
    db = await freshDatabase('instances');
    sim = await createOrderServiceSimulator();
    await createTopic(topic, 4);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.close()));
    await sim?.close();
    await db?.drop();
  });

  it('keeps every order in order under failures, retries and a rebalance', async () => {
    const groupId = `test_kds_two_${Date.now()}`;
    const opts = { dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId, env: { RETRY_BACKOFF_BASE_MS: '100' } };
    services.push((await startTestService(opts)).service);
    // a fifth of reads fail and replicas lag: plenty of parking, retries and queues
    sim.setGlobal({ errorRate: 0.2, latencyMs: { min: 0, max: 5 } });
    const steps = generateTraffic({ orders: 300, seed: 11, idPrefix: `T${Date.now() % 100000}-` });
    const prod = await producer();
    try {
      const sending = runTraffic({
        producer: prod, writer: inProcessWriter(sim), topic, env: 'test', steps,
        mode: { kind: 'rate', perSecond: 500 },
      });
      // the second instance joins mid-stream: a rebalance while work is in flight
      services.push((await startTestService(opts)).service);
      const traffic = await sending;
      sim.setGlobal({ errorRate: 0 });

      await waitFor('every order at its final version', async () => {
        const [rows] = await db.pool.query<RowDataPacket[]>('SELECT order_id, version FROM orders');
        return rows.length === traffic.orders.size &&
          rows.every((r) => traffic.orders.get(String(r.order_id))?.version === Number(r.version));
      }, 90_000);
    } finally {
      await prod.disconnect();
    }
    await waitFor('all queues drained', async () =>
      (await count(db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE status <> 'DONE'")) === 0, 30_000);
    assert.ok((await count(db.pool, 'SELECT COUNT(*) AS n FROM retry_entries')) > 20, 'the failures really parked events');

    const [log] = await db.pool.query<RowDataPacket[]>(
      "SELECT order_id, payload FROM change_log WHERE kind = 'order' ORDER BY merchant_id, seq");
    const last = new Map<string, number>();
    for (const r of log) {
      const v = (JSON.parse(String(r.payload)) as { version: number }).version;
      assert.ok(v > (last.get(String(r.order_id)) ?? 0), `order ${String(r.order_id)} went from ${last.get(String(r.order_id))} to ${v}`);
      last.set(String(r.order_id), v);
    }
    // queues completed in arrival order: within an order, DONE entries by position never run
    // ahead of an earlier position (updated_at is when each completed)
    const [entries] = await db.pool.query<RowDataPacket[]>(
      'SELECT order_id, queue_pos, updated_at FROM retry_entries ORDER BY order_id, queue_pos');
    for (let i = 1; i < entries.length; i++) {
      const a = entries[i - 1] as RowDataPacket;
      const b = entries[i] as RowDataPacket;
      if (a.order_id === b.order_id) assert.ok(new Date(b.updated_at as Date) >= new Date(a.updated_at as Date), `queue of ${String(a.order_id)} out of order`);
    }
    assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM order_guards WHERE open_entries <> 0'), 0);
  });
});

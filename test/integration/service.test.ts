// The whole service as users meet it: an order event on Kafka becomes an order on the HTTP API and
// dish messages on kitchen screens; a cook's mark reaches the waiter as a serve call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Producer } from 'kafkajs';
import { signToken, type Role } from '../../src/auth/token';
import type { Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { api, Screen, type Frame } from '../support/screens';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, publish, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { startTestService, TEST_KEY } from '../support/service';
import { waitFor } from '../support/wait';

const tok = (role: Role, merchantId?: string, orderId?: string): string =>
  signToken({ role, ...(merchantId ? { merchantId } : {}), ...(orderId ? { orderId } : {}) }, TEST_KEY);

describe('service surface', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let service: Service;
  let prod: Producer;
  let base: string;
  const topic = randomTopic('test_order');

  before(async () => {
    db = await freshDatabase('service');
    sim = await createOrderServiceSimulator();
    await createTopic(topic, 4);
    prod = await producer();
    ({ service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: sim.url }));
    base = `http://127.0.0.1:${service.httpPort}`;
  });

  after(async () => {
    await service?.close();
    await prod?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  it('refuses to start on a topic that does not exist, saying so', async () => {
    await assert.rejects(
      startTestService({ dbUrl: db.url, topic: randomTopic('test_order'), orderServiceUrl: sim.url }),
      /topic "test_order_[0-9a-f]+" does not exist/,
    );
  });

  it('is healthy and ready once MySQL, Kafka and ZooKeeper are connected', async () => {
    assert.equal((await api(base, 'GET', '/healthz')).status, 200);
    const ready = await waitFor('ready', async () => {
      const r = await api(base, 'GET', '/readyz');
      return r.status === 200 ? r : undefined;
    });
    assert.equal(ready.status, 200);
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /kds_events_total/);
  });

  it('turns an order event into an order, pushes its dishes, and carries a cook\'s mark to the waiter', async () => {
    const kitchen = new Screen(`ws://127.0.0.1:${service.httpPort}/ws?token=${tok('kitchen', 'M0001')}`);
    const waiter = new Screen(`ws://127.0.0.1:${service.httpPort}/ws?token=${tok('waiter', 'M0001')}`);
    await Promise.all([kitchen.opened, waiter.opened]);
    await kitchen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');

    const v1 = body('O-surface', 1, { status: 'PLACED' });
    sim.putOrder(v1);
    await publish(prod, topic, [record(eventFor(v1, 'ORDER_PLACED'))]);

    await kitchen.wait((f) => f.filter((x) => x.type === 'dish').length >= 2, 'two dish messages');
    const order = await api(base, 'GET', '/api/orders/O-surface', tok('kitchen', 'M0001'));
    assert.equal(order.status, 200);
    assert.equal(order.json.status, 'PLACED');
    const dishes = order.json.dishes as { itemId: string; state: string; note: string | null }[];
    assert.deepEqual(dishes.map((d) => d.state), ['WAITING', 'WAITING']);
    assert.ok(dishes.some((d) => d.note === 'less spicy 🌶️'), 'Unicode notes survive the trip');
    assert.equal((await api(base, 'GET', '/api/orders/O-surface', tok('kitchen', 'M0002'))).status, 403);

    const ready = await api(base, 'POST', `/api/dishes/${v1.items[0]!.itemId}/ready`, tok('kitchen', 'M0001'));
    assert.equal(ready.status, 200);
    const serve = await waiter.wait((f) => f.some((x) => x.type === 'serve'), 'serve call').then(() => waiter.of('serve')[0] as Frame);
    assert.equal((serve.dish as { itemId: string }).itemId, v1.items[0]!.itemId);
    assert.equal(kitchen.of('serve').length, 0, 'serve calls go to waiters only');

    // seq grows by exactly one per change on every merchant screen
    const seqs = kitchen.frames.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) {
      assert.equal(seqs[i], (seqs[i - 1] as number) + (kitchen.frames[i]?.type === 'snapshot' ? 0 : 1));
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const pushed = /^kds_push_latency_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(metrics);
    assert.ok(pushed && Number(pushed[1]) >= 3, 'commit-to-push latency is observed for each pushed change');
    await kitchen.close();
    await waiter.close();
  });
});

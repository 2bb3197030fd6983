// The retry job, failure mail and operator API as wired in the real service (startService): an
// event whose order cannot be read ends FAILED, the developers get the digest over real SMTP, and
// the replay call it names brings the order onto the board once the order service is healthy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { signToken } from '../../src/auth/token';
import type { Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, publish, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { startMailServer, type TestMailServer } from '../support/mail-server';
import { startTestService, TEST_KEY } from '../support/service';
import { waitFor } from '../support/wait';

const ADMIN = signToken({ role: 'admin' }, TEST_KEY);
let db: TestDb;
let sim: OrderServiceSimulator;
let smtp: TestMailServer;
let service: Service;
let prod: Producer;
const topic = randomTopic('test_order');

before(async () => {
  db = await freshDatabase('retrysvc');
  sim = await createOrderServiceSimulator();
  smtp = await startMailServer();
  await createTopic(topic, 2);
  prod = await producer();
  ({ service } = await startTestService({
    dbUrl: db.url, topic, orderServiceUrl: sim.url,
    env: { SMTP_URL: smtp.url, RETRY_MAX_ATTEMPTS: '2', RETRY_BACKOFF_BASE_MS: '100' },
  }));
});

after(async () => {
  await service?.close();
  await prod?.disconnect();
  await smtp?.stop();
  await sim?.close();
  await db?.drop();
});

async function api(method: string, path: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN}` },
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

test('FAILED after RETRY_MAX_ATTEMPTS, one digest mail, replay through the API applies it', async () => {
  const v1 = body('O-SVC-RETRY', 1);
  sim.putOrder(v1);
  sim.setOrderSwitches('O-SVC-RETRY', { errorStatus: 500 });
  const event = eventFor(v1, 'ORDER_PLACED');
  await publish(prod, topic, [record(event)]);

  const failed = await waitFor('FAILED entry listed', async () => {
    const r = await api('GET', '/api/retries?status=FAILED');
    const list = r.json as { id: number; orderId: string; attempts: number }[];
    return list.find((e) => e.orderId === 'O-SVC-RETRY');
  }, 30_000, 200);
  assert.equal(failed.attempts, 2);

  const mail = await waitFor('digest mail', () => smtp.received[0], 30_000, 200);
  assert.match(mail.subject, /\[KDS test\] 1 order event FAILED after 2 attempts/);
  assert.ok(mail.text.includes(`/api/retries/${failed.id}/replay`));
  assert.ok(mail.text.includes(event.eventId));

  sim.setOrderSwitches('O-SVC-RETRY', { errorStatus: null });
  const replay = await api('POST', `/api/retries/${failed.id}/replay`);
  assert.equal(replay.status, 200);
  assert.equal((replay.json as { status: string }).status, 'DONE');
  const order = await api('GET', '/api/orders/O-SVC-RETRY');
  assert.equal(order.status, 200);
  assert.equal((order.json as { version: number }).version, 1);
  assert.deepEqual((await api('GET', '/api/retries')).json, []);
  assert.equal(smtp.received.length, 1);
});

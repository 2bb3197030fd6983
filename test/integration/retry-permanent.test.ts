// A failure that retrying cannot fix spends no more attempts: the entry goes FAILED at once (and
// the failure digest mails it), on arrival and in the retry job alike, and the queue behind it
// waits for an operator, as the per-order rule requires.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import type { OrderSource } from '../../src/order-service/client';
import { body, eventFor } from '../support/events';
import { entries, feed, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';

let kit: RetryKit;
before(async () => {
  kit = await startRetryKit('retryperm');
});
after(async () => {
  await kit.close();
});

const worker = (orders: OrderSource) =>
  testRetry({ pool: kit.db.pool, orders, backoffBaseMs: 1, maxAttempts: 7, batchSize: 50 }).worker;

test('a contract break on arrival: FAILED with no attempt spent', async () => {
  // the order service says the order belongs to another merchant than the event does
  const b = body('O-PERM-ARRIVAL', 1, { merchantId: 'M-OTHER' });
  kit.sim.putOrder(b);
  const event = { ...eventFor(b, 'ORDER_PLACED'), merchantId: 'M0001' };
  assert.deepEqual(await feed(kit.processor(), [event]), ['parked']);
  const [e] = await entries(kit.db, 'order_id = ?', [b.orderId]);
  assert.deepEqual([e?.status, e?.attempts], ['FAILED', 0]);
});

test('in the retry job: a retriable head that turns into a contract break goes FAILED after one attempt, not seven', async () => {
  const [first, second] = orderWithEvents(kit.sim, 'O-PERM-RETRY', 2);
  kit.sim.setOrderSwitches('O-PERM-RETRY', { errorStatus: 503 });
  assert.deepEqual(await feed(kit.processor(), [first!, second!]), ['parked', 'parked']);
  kit.sim.clearSwitches();
  kit.sim.putOrder(body('O-PERM-RETRY', 3, { merchantId: 'M-OTHER' }));
  await worker(kit.client).runOnce();
  const [head, behind] = await entries(kit.db, 'order_id = ?', ['O-PERM-RETRY']);
  assert.deepEqual([head?.status, head?.attempts], ['FAILED', 1]);
  assert.equal(behind?.status, 'PENDING', 'the next event waits behind the FAILED head');
});

test('in the retry job: an answer the database refuses (quantity beyond the column) goes FAILED, not claimed again for ever', async () => {
  const [event] = orderWithEvents(kit.sim, 'O-PERM-DB', 1);
  kit.sim.setOrderSwitches('O-PERM-DB', { errorStatus: 503 });
  await feed(kit.processor(), [event!]);
  kit.sim.clearSwitches();
  const refused: OrderSource = {
    async fetchOrder(id) {
      const d = await kit.client.fetchOrder(id);
      return { ...d, items: d.items.map((it) => ({ ...it, quantity: 2 ** 40 })) };
    },
  };
  const stats = await worker(refused).runOnce();
  assert.equal(stats.failed, 1);
  const [e] = await entries(kit.db, 'order_id = ?', ['O-PERM-DB']);
  assert.equal(e?.status, 'FAILED');
});

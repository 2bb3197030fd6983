// Two retry job instances on one database (two createRetryWorker, as two processes would have),
// running at the same time against a slow order service: no entry is worked twice, none is worked
// while another instance works it, and every queue drains in order.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import type { OrderSource } from '../../src/order-service/client';
import { type AttemptOutcome } from '../../src/retry/worker';
import { orderRow } from '../support/orders';
import { entries, feed, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';

let kit: RetryKit;
before(async () => {
  kit = await startRetryKit('retryworkers');
});
after(async () => {
  await kit.close();
});

test('two worker instances never work one entry twice, and drain every queue in order', async () => {
  const orders = Array.from({ length: 60 }, (_, i) => `O-W-${String(i).padStart(2, '0')}`);
  const events = orders.flatMap((o) => orderWithEvents(kit.sim, o, 3));
  kit.sim.setGlobal({ errorStatus: 503 });
  const process = kit.processor();
  await Promise.all([0, 1, 2].map((lane) => feed(process, events.filter((_, i) => i % 3 === lane))));
  assert.equal((await entries(kit.db, "status = 'PENDING'")).length, 180);
  kit.sim.clearSwitches();
  kit.sim.setGlobal({ latencyMs: { min: 5, max: 40 } });
  kit.sim.resetStats();

  // calls in flight per order, across both instances
  const inFlight = new Map<string, number>();
  let overlap = 0;
  const watched: OrderSource = {
    async fetchOrder(orderId) {
      const n = (inFlight.get(orderId) ?? 0) + 1;
      inFlight.set(orderId, n);
      if (n > 1) overlap += 1;
      try {
        return await kit.client.fetchOrder(orderId);
      } finally {
        inFlight.set(orderId, (inFlight.get(orderId) ?? 1) - 1);
      }
    },
  };
  const attempts = new Map<number, { by: string; outcome: AttemptOutcome; pos: number }[]>();
  const order = new Map<string, number[]>();
  const instance = (name: string) =>
    testRetry({
      pool: kit.db.pool, orders: watched,
      backoffBaseMs: 10, maxAttempts: 7, batchSize: 4,
      onAttempt: (e, outcome) => {
        attempts.set(e.id, [...(attempts.get(e.id) ?? []), { by: name, outcome, pos: e.queue_pos }]);
        if (outcome === 'done') order.set(e.order_id, [...(order.get(e.order_id) ?? []), e.queue_pos]);
      },
    }).worker;
  const a = instance('a');
  const b = instance('b');

  const [sa, sb] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.ok(sa.done > 0 && sb.done > 0, `both instances worked: ${JSON.stringify([sa, sb])}`);
  assert.equal(sa.done + sb.done, 180);
  assert.equal(overlap, 0);
  for (const [id, list] of attempts) assert.deepEqual(list.map((x) => x.outcome), ['done'], `entry ${id}`);
  assert.equal(attempts.size, 180);
  for (const o of orders) {
    assert.deepEqual(order.get(o), [1, 2, 3], o);
    // the head's read returns version 3; the two behind it are already applied: no call
    assert.equal(kit.sim.callsFor(o), 1, o);
    assert.equal((await orderRow(kit.db.pool, o))?.version, 3);
  }
  assert.equal((await entries(kit.db, "status <> 'DONE'")).length, 0);
});

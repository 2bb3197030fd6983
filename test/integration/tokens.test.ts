// Tokens over real HTTP and WebSocket: the environment is part of what a token proves, expired
// and over-long tokens are refused, roles manager and board, and device tokens — issued by
// `npm run token -- --device`, listed and revoked by the merchant's manager — are cut off on
// every instance (two servers sharing only the database) within the contract's 5 s.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import WebSocket from 'ws';
import { signToken, verifyToken } from '../../src/auth/token';
import { createRevocations, type Revocations } from '../../src/devices/revocations';
import { issueDeviceToken } from '../../src/devices/issue';
import { createDeviceRouter } from '../../src/devices/routes';
import type { DeviceView } from '../../src/devices/views';
import { silentLogger } from '../../src/log';
import { freshDatabase, type TestDb } from '../support/db';
import { api, ENV, KEY, Screen, SECRET, seedOrder, startServer, token, waitUntil, type Running } from '../support/screens';

let db: TestDb;
let a: Running;
let b: Running;
let revA: Revocations;
let revB: Revocations;

async function instance(): Promise<{ srv: Running; rev: Revocations }> {
  const rev = createRevocations(db.pool, silentLogger, { pollMs: 2000, touchMs: 100 });
  await rev.start();
  const srv = await startServer(db.pool, {
    revocations: rev,
    routers: [createDeviceRouter({ pool: db.pool, revokedHere: (id) => rev.revokedHere(id) })],
  });
  return { srv, rev };
}

/** The HTTP status a WebSocket upgrade is answered with (101 when it opens). */
function upgradeStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

/** A well-signed token with any claims (what a leaked secret could mint). */
function forge(claims: object): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`;
}

before(async () => {
  db = await freshDatabase('tokens');
  ({ srv: a, rev: revA } = await instance());
  ({ srv: b, rev: revB } = await instance());
  await seedOrder(db.pool, { orderId: 'O1', merchantId: 'M1', dishes: [{ itemId: 'I1' }] });
  await seedOrder(db.pool, { orderId: 'O2', merchantId: 'M2', dishes: [{ itemId: 'I2' }] });
});

after(async () => {
  await a.close();
  await b.close();
  await revA.close();
  await revB.close();
  await db.drop();
});

describe('what a token proves', () => {
  it('a token of another environment is refused over HTTP and WebSocket, even with the same secret', async () => {
    const pre = signToken({ role: 'admin' }, { secret: SECRET, env: 'pre' });
    const r = await api(a.base, 'GET', '/api/orders/O1', pre);
    assert.equal(r.status, 401);
    assert.match(String(r.json.message), /another environment/);
    const preKitchen = signToken({ role: 'kitchen', merchantId: 'M1' }, { secret: SECRET, env: 'pre' });
    const ws = await upgradeStatus(`${a.wsBase}?token=${preKitchen}`);
    assert.equal(ws.status, 401);
    assert.match(ws.body, /environment/);
    // the same claims for this environment work
    assert.equal((await api(a.base, 'GET', '/api/orders/O1', token('kitchen', 'M1'))).status, 200);
  });

  it('expired and over-long tokens are refused', async () => {
    const expired = signToken({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 60 }, KEY, Date.now() - 120_000);
    assert.equal((await api(a.base, 'GET', '/api/orders/O1', expired)).status, 401);
    assert.equal((await upgradeStatus(`${a.wsBase}?token=${expired}`)).status, 401);
    const now = Math.floor(Date.now() / 1000);
    const year = forge({ role: 'kitchen', env: ENV, merchantId: 'M1', iat: now, exp: now + 365 * 86400 });
    const r = await api(a.base, 'GET', '/api/orders/O1', year);
    assert.equal(r.status, 401);
    assert.match(String(r.json.message), /lifetime/);
    assert.equal((await upgradeStatus(`${a.wsBase}?token=${year}`)).status, 401);
    const device31 = forge({ role: 'kitchen', env: ENV, merchantId: 'M1', deviceId: 'dev_x', iat: now, exp: now + 31 * 86400 });
    assert.equal((await api(a.base, 'GET', '/api/orders/O1', device31)).status, 401);
  });

  it('manager reads what kitchen and waiter read; board is kept to the pickup board', async () => {
    const manager = token('manager', 'M1');
    assert.equal((await api(a.base, 'GET', '/api/merchants/M1/board', manager)).status, 200);
    assert.equal((await api(a.base, 'GET', '/api/orders/O1', manager)).status, 200);
    assert.equal((await api(a.base, 'GET', '/api/merchants/M2/board', manager)).status, 403);
    assert.equal((await api(a.base, 'POST', '/api/dishes/I1/ready', manager)).status, 403, 'managers do not mark');
    const screen = new Screen(`${a.wsBase}?token=${manager}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'manager snapshot');
    await screen.close();
    const board = token('board', 'M1');
    assert.equal((await api(a.base, 'GET', '/api/merchants/M1/board', board)).status, 403);
    assert.equal((await api(a.base, 'GET', '/api/orders/O1', board)).status, 403);
    assert.equal((await upgradeStatus(`${a.wsBase}?token=${board}`)).status, 403);
  });
});

describe('device tokens', () => {
  it('npm run token -- --device records the device and prints a 30-day device token', async () => {
    const run = promisify(execFile);
    const { stdout, stderr } = await run(
      process.execPath, ['--import', 'tsx', 'src/auth/token-cli.ts', '--merchant', 'M1', '--role', 'kitchen', '--device', 'Wok screen'],
      { env: { ...process.env, KDS_ENV: ENV, KDS_AUTH_SECRET: SECRET, MYSQL_URL: db.url } },
    );
    const printed = stdout.trim().split('\n').at(-1) ?? '';
    const v = verifyToken(printed, KEY);
    assert.ok(v.ok, stderr);
    assert.equal(v.claims.exp - v.claims.iat, 30 * 86400);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT name, role, merchant_id FROM devices WHERE device_id = ?', [v.claims.deviceId]);
    assert.deepEqual(rows.map((r) => [String(r.name), String(r.role), String(r.merchant_id)]), [['Wok screen', 'kitchen', 'M1']]);

    // and the CLI refuses a placeholder secret with one line, printing no token
    const weak = await run(process.execPath, ['--import', 'tsx', 'src/auth/token-cli.ts', '--merchant', 'M1', '--role', 'kitchen'], {
      env: { ...process.env, KDS_ENV: ENV, KDS_AUTH_SECRET: 'change-me-to-a-random-string-of-32-chars-or-more' },
    }).then(() => undefined, (err: { code: number; stdout: string; stderr: string }) => err);
    assert.ok(weak !== undefined, 'exits non-zero');
    assert.equal(weak.stdout, '');
    assert.match(weak.stderr.split('\n')[0] ?? '', /^token: KDS_AUTH_SECRET looks like a placeholder/);
  });

  it('a revoked device is cut off on every instance: 401 and its sockets closed within 5 s', async () => {
    const testStarted = Date.now();
    const wok = await issueDeviceToken(db.pool, KEY, { merchantId: 'M1', role: 'kitchen', name: 'Wok screen' });
    const pass = await issueDeviceToken(db.pool, KEY, { merchantId: 'M1', role: 'waiter', name: 'Pass phone' });
    const manager = token('manager', 'M1');

    // the tablet is connected to instance B; the manager revokes it through instance A
    const onB = new Screen(`${b.wsBase}?token=${wok.token}`);
    const keptOnB = new Screen(`${b.wsBase}?token=${pass.token}`);
    await Promise.all([onB.opened, keptOnB.opened]);
    await onB.wait((f) => f.some((x) => x.type === 'snapshot'), 'device snapshot');
    assert.equal((await api(b.base, 'GET', '/api/merchants/M1/board', wok.token)).status, 200);

    // the manager's list (other managers and kitchen tokens may not see it)
    const list = await api(a.base, 'GET', '/api/merchants/M1/devices', manager);
    assert.equal(list.status, 200);
    const names = (list.json as unknown as DeviceView[]).map((d) => d.name);
    assert.ok(names.includes('Wok screen') && names.includes('Pass phone'), names.join());
    assert.equal((await api(a.base, 'GET', '/api/merchants/M1/devices', token('manager', 'M2'))).status, 403);
    assert.equal((await api(a.base, 'GET', '/api/merchants/M1/devices', token('kitchen', 'M1'))).status, 403);
    assert.equal((await api(a.base, 'GET', '/api/merchants/M1/devices', token('admin'))).status, 200);
    assert.equal((await api(a.base, 'DELETE', `/api/devices/${wok.deviceId}`, token('manager', 'M2'))).status, 403);
    assert.equal((await api(a.base, 'DELETE', '/api/devices/dev_unknown', manager)).status, 404);

    const del = await api(a.base, 'DELETE', `/api/devices/${wok.deviceId}`, manager);
    assert.equal(del.status, 200);
    const revokedAt = (del.json as unknown as DeviceView).revokedAt;
    assert.ok(revokedAt !== null);
    // at once on the instance that revoked it
    const onA = await api(a.base, 'GET', '/api/merchants/M1/board', wok.token);
    assert.deepEqual([onA.status, onA.json.message], [401, 'device token revoked']);
    // on the other instance: its socket is closed (4003) within 5 s, then its calls get 401
    await waitUntil(() => onB.closeCode !== undefined, 'the revoked device socket on B to close', 5000);
    assert.equal(onB.closeCode, 4003);
    assert.equal((await api(b.base, 'GET', '/api/merchants/M1/board', wok.token)).status, 401);
    assert.equal((await upgradeStatus(`${b.wsBase}?token=${wok.token}`)).status, 401);
    // the other device is untouched; revoking again is harmless and keeps the first time
    assert.equal(keptOnB.closeCode, undefined);
    assert.equal((await api(b.base, 'GET', '/api/merchants/M1/board', pass.token)).status, 200);
    const again = await api(a.base, 'DELETE', `/api/devices/${wok.deviceId}`, token('admin'));
    assert.deepEqual([again.status, (again.json as unknown as DeviceView).revokedAt], [200, revokedAt]);
    await keptOnB.close();

    // devices that were used have last_seen
    const seen = await waitUntil(async () => {
      const r = await api(a.base, 'GET', '/api/merchants/M1/devices', manager);
      const d = (r.json as unknown as DeviceView[]).find((x) => x.deviceId === pass.deviceId);
      return d?.lastSeen ?? undefined;
    }, 'last_seen of the pass phone');
    assert.ok(Date.parse(seen) >= testStarted - 1000, 'seen during this test'); // (last_seen keeps ms; a second of clock slack)
  });
});

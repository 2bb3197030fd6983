// Open sockets are capped across instances (contract, WebSocket: one token or device holds at most
// 20), and per address (LIMIT_WS_ADDRESS_OPEN). Real hubs on a real database; two hubs sharing the
// database are two instances (each counts its own sockets in presence_counts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RateLimits } from '../../src/limits/limits';
import type { PushHubOptions } from '../../src/push/hub';
import { tokenLimitKey } from '../../src/limits/limits';
import { MAX_SOCKETS_PER_TOKEN, socketClaims } from '../../src/push/socket-caps';
import { verifyToken } from '../../src/auth/token';
import { freshDatabase, type TestDb } from '../support/db';
import { KEY, startServer, token, waitUntil, type Running } from '../support/screens';

const OFF = { perMinute: 0, burst: 0 };
// connect rates are not what is tested here
const NO_RATE_LIMITS: RateLimits = { apiPerToken: OFF, apiPerAddress: OFF, wsPerToken: OFF, wsPerAddress: OFF };
const CAP = MAX_SOCKETS_PER_TOKEN;

let db: TestDb;
const servers: Running[] = [];
const sockets: WebSocket[] = [];

before(async () => {
  db = await freshDatabase('wscaps');
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const s of servers) await s.close();
  await db.drop();
});

async function server(hub: PushHubOptions = {}): Promise<Running> {
  const s = await startServer(db.pool, { limits: NO_RATE_LIMITS, hub });
  servers.push(s);
  return s;
}

interface Attempt {
  status: number;
  code?: string;
  message?: string;
  ws?: WebSocket;
}

/** Opens a socket and keeps it open; or the refusal's status and error code. */
function connect(url: string): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      sockets.push(ws);
      ws.on('error', () => undefined);
      resolve({ status: 101, ws });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const j = JSON.parse(body || '{}') as { error?: string; message?: string };
        resolve({ status: res.statusCode ?? 0, ...(j.error ? { code: j.error } : {}), ...(j.message ? { message: j.message } : {}) });
      });
    });
    ws.once('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

const isOpen = (a: Attempt): boolean => a.ws?.readyState === WebSocket.OPEN;

async function closeAll(attempts: readonly Attempt[]): Promise<void> {
  await Promise.all(attempts.filter(isOpen).map((a) => new Promise((r) => {
    a.ws?.once('close', r);
    a.ws?.close();
  })));
}

/** How many of `url`'s holder's sockets the database counts, over all instances. */
async function counted(holderLike: string): Promise<number> {
  const [rows] = await db.pool.query<Array<{ n: number | null } & import('mysql2').RowDataPacket>>(
    'SELECT SUM(sockets) AS n FROM presence_counts WHERE holder LIKE ?', [holderLike],
  );
  return Number(rows[0]?.n ?? 0);
}

describe('open sockets per token', () => {
  it('300 sockets of one guest token: the first 20 open and stay open, the other 280 get 429', async () => {
    const s = await server();
    const url = `${s.wsBase}?token=${token('guest', 'MC1', 'O1')}`;
    const first: Attempt[] = [];
    for (let i = 0; i < CAP; i++) first.push(await connect(url));
    assert.deepEqual(first.map((a) => a.status), Array<number>(CAP).fill(101));
    const rest = await Promise.all(Array.from({ length: 300 - CAP }, () => connect(url)));
    assert.deepEqual(new Set(rest.map((a) => `${a.status} ${a.code ?? ''}`)), new Set(['429 too_many_sockets']));
    assert.match(rest[0]?.message ?? '', /at most 20 open sockets per token/);
    assert.equal(first.filter(isOpen).length, CAP, 'the sockets already open are kept');
    assert.equal(s.hub.clientCount(), CAP);

    // a socket that leaves makes room for one more
    await closeAll(first.slice(0, 5));
    await waitUntil(async () => (await counted('tok:%')) === CAP - 5, 'the closes counted');
    const again = await Promise.all(Array.from({ length: 8 }, () => connect(url)));
    assert.equal(again.filter(isOpen).length, 5);
    await closeAll([...first, ...again]);
  });

  it('300 sockets of one token at once: never more than 20 open', async () => {
    const s = await server();
    const url = `${s.wsBase}?token=${token('guest', 'MC1', 'O2')}`;
    const all = await Promise.all(Array.from({ length: 300 }, () => connect(url)));
    const opened = all.filter(isOpen).length;
    assert.ok(opened >= 1 && opened <= CAP, `${opened} open`);
    assert.ok(all.every((a) => a.status === 101 || (a.status === 429 && a.code === 'too_many_sockets')));
    // the racing ones may all have been refused together; one after the other, the cap is reached
    const more: Attempt[] = [];
    for (let i = 0; i < CAP + 3; i++) more.push(await connect(url));
    assert.equal(opened + more.filter(isOpen).length, CAP);
    await closeAll([...all, ...more]);
  });
});

describe('across instances', () => {
  it('two instances on one database hold the cap together, and a stopped instance stops counting at once', async () => {
    const a = await server();
    const b = await server();
    const tok = token('guest', 'MC2', 'O1');
    const onA: Attempt[] = [];
    for (let i = 0; i < 12; i++) onA.push(await connect(`${a.wsBase}?token=${tok}`));
    const onB: Attempt[] = [];
    for (let i = 0; i < 12; i++) onB.push(await connect(`${b.wsBase}?token=${tok}`));
    assert.equal(onA.filter(isOpen).length, 12);
    assert.equal(onB.filter(isOpen).length, CAP - 12, 'B admits only what A leaves');
    // a flood at both at once
    const flood = await Promise.all(Array.from({ length: 150 }, (_, i) => connect(`${(i % 2 ? a : b).wsBase}?token=${tok}`)));
    assert.equal(flood.filter(isOpen).length, 0);
    assert.equal(a.hub.clientCount() + b.hub.clientCount(), CAP);

    // A shuts down: its sockets and its rows go, B may take the whole cap
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const later: Attempt[] = [];
    for (let i = 0; i < CAP; i++) later.push(await connect(`${b.wsBase}?token=${tok}`));
    assert.equal(later.filter(isOpen).length, 12);
    await closeAll([...onB, ...later]);
  });

  it('300 sockets of one token spread over two instances at once: never more than 20 open', async () => {
    const a = await server();
    const b = await server();
    const tok = token('guest', 'MC2', 'O2');
    const all = await Promise.all(Array.from({ length: 300 }, (_, i) => connect(`${(i % 2 ? a : b).wsBase}?token=${tok}`)));
    const opened = all.filter(isOpen).length;
    assert.ok(opened <= CAP, `${opened} open`);
    assert.equal(a.hub.clientCount() + b.hub.clientCount(), opened);
    await closeAll(all);
  });
});

describe('instances that stopped answering', () => {
  it('a killed instance counts while its heartbeat is fresh, and not after', async () => {
    const s = await server();
    const tok = token('guest', 'MC3', 'O1');
    const v = verifyToken(tok, KEY);
    assert.ok(v.ok);
    const holder = socketClaims(tokenLimitKey(v.claims, tok), '127.0.0.1', { perToken: CAP, perAddress: 500 })[0]?.key ?? '';
    // another instance holds 18 of this token's sockets: first alive, then silent for a minute
    await db.pool.query("INSERT INTO presence_instances (instance_id, seen_at) VALUES ('other', NOW(3))");
    await db.pool.query("INSERT INTO presence_counts (holder, instance_id, sockets) VALUES (?, 'other', 18)", [holder]);
    const alive = await Promise.all(Array.from({ length: 5 }, () => connect(`${s.wsBase}?token=${tok}`)));
    assert.ok(alive.filter(isOpen).length <= 2, `${alive.filter(isOpen).length} open beside 18 elsewhere`);
    await db.pool.query("UPDATE presence_instances SET seen_at = NOW(3) - INTERVAL 60 SECOND WHERE instance_id = 'other'");
    const after = [];
    for (let i = 0; i < CAP; i++) after.push(await connect(`${s.wsBase}?token=${tok}`));
    assert.equal(alive.filter(isOpen).length + after.filter(isOpen).length, CAP, 'the silent instance no longer counts');
    await closeAll([...alive, ...after]);
  });
});

describe('open sockets per address', () => {
  it('LIMIT_WS_ADDRESS_OPEN caps the sockets of one address, whatever the tokens', async () => {
    const s = await server({ socketCaps: { perToken: CAP, perAddress: 30 } });
    const opened: Attempt[] = [];
    for (let i = 0; i < 30; i++) opened.push(await connect(`${s.wsBase}?token=${token('kitchen', `MA${i}`)}`));
    assert.equal(opened.filter(isOpen).length, 30);
    const over = await Promise.all(Array.from({ length: 10 }, (_, i) => connect(`${s.wsBase}?token=${token('kitchen', `MB${i}`)}`)));
    assert.deepEqual(new Set(over.map((a) => a.status)), new Set([429]));
    assert.match(over[0]?.message ?? '', /at most 30 open sockets per address/);
    assert.equal(opened.filter(isOpen).length, 30, 'kept');
    await closeAll(opened);
  });
});

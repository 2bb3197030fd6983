import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { appendChangesOfMerchants, type Change } from '../../src/changes/append';
import { inTx, type Pool } from '../../src/db/pool';
import {
  api, Screen, seedOrder, startServer, token, waitUntil, type Frame, type Running,
} from '../support/screens';
import { freshDatabase, type TestDb } from '../support/db';

let db: TestDb;
let srv: Running;

before(async () => {
  db = await freshDatabase('ws');
  srv = await startServer(db.pool);
});

after(async () => {
  await srv.close();
  await db.drop();
});

function dishChange(merchantOrder: string, itemId: string, serve = false, note: string | null = null): Change {
  return {
    kind: 'dish',
    call: serve ? 'serve' : null,
    dish: {
      itemId, orderId: merchantOrder, name: 'soup', quantity: 1, station: 'grill', note,
      state: serve ? 'READY' : 'WAITING', updatedAt: new Date().toISOString(), readyAt: null, servedAt: null,
      dishId: null, course: 1, held: false, firedAt: null, dueAt: null, shortName: null,
    },
  };
}

/** Commits `n` changes in transactions of `perTx`, like the pipeline, telling the hub after commit. */
async function produce(pool: Pool, merchantId: string, n: number, opts: {
  perTx?: number; orderId?: string; serveEvery?: number; note?: string; workers?: number; notify?: Running;
} = {}): Promise<void> {
  const perTx = opts.perTx ?? 1;
  let made = 0;
  const worker = async (): Promise<void> => {
    while (made < n) {
      const batch = Math.min(perTx, n - made);
      const start = made;
      made += batch;
      const changes = Array.from({ length: batch }, (_, i) =>
        dishChange(opts.orderId ?? 'O', `D${start + i}`, opts.serveEvery !== undefined && (start + i) % opts.serveEvery === 0, opts.note ?? null));
      const seq = await inTx(pool, async (conn) => (await appendChangesOfMerchants(conn, new Map([[merchantId, changes]]))).get(merchantId) ?? 0);
      opts.notify?.hub.changed(merchantId, seq);
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 1 }, worker));
}

function seqsOf(frames: Frame[], type: string): number[] {
  return frames.filter((f) => f.type === type).map((f) => f.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A WebSocket opened by hand, so the test decides when it reads; `frames` decodes what came. */
async function rawSocket(port: number, path: string): Promise<{ socket: net.Socket; frames: () => { opcode: number; payload: Buffer }[] }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (d: Buffer) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 101')) {
        reject(new Error(d.toString()));
        return;
      }
      chunks.push(d.subarray(d.indexOf('\r\n\r\n') + 4)); // frames that came with the answer
      resolve();
    });
  });
  socket.on('data', (d: Buffer) => chunks.push(d));
  // server frames are unmasked: opcode, a 7-bit length or 126 + 16 bits or 127 + 64 bits, payload
  const frames = (): { opcode: number; payload: Buffer }[] => {
    const all = Buffer.concat(chunks);
    const out: { opcode: number; payload: Buffer }[] = [];
    let i = 0;
    while (i + 2 <= all.length) {
      let len = (all[i + 1] as number) & 0x7f;
      let at = i + 2;
      if (len === 126) {
        len = all.readUInt16BE(at);
        at += 2;
      } else if (len === 127) {
        len = Number(all.readBigUInt64BE(at));
        at += 8;
      }
      if (at + len > all.length) break;
      out.push({ opcode: (all[i] as number) & 0x0f, payload: all.subarray(at, at + len) });
      i = at + len;
    }
    return out;
  };
  return { socket, frames };
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('connected')));
    ws.on('error', () => undefined);
  });
}

describe('connecting', () => {
  it('refuses bad tokens (401), other merchants (403), admin without merchant (400)', async () => {
    assert.equal(await upgradeStatus(`${srv.wsBase}`), 401);
    assert.equal(await upgradeStatus(`${srv.wsBase}?token=nope`), 401);
    assert.equal(await upgradeStatus(`${srv.wsBase}?token=${token('kitchen', 'A')}&merchant=B`), 403);
    assert.equal(await upgradeStatus(`${srv.wsBase}?token=${token('admin')}`), 400);
    assert.equal(await upgradeStatus(`${srv.wsBase}?token=${token('kitchen', 'A')}&afterSeq=-1`), 400);
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${srv.port}/other?token=${token('kitchen', 'A')}`), 404);
  });

  it('ends a session when its token expires (4001)', async () => {
    const s = new Screen(`${srv.wsBase}?token=${token('kitchen', 'EXP', undefined, 2)}`);
    await s.opened;
    await waitUntil(() => s.closeCode, 'close at token expiry', 4000);
    assert.equal(s.closeCode, 4001);
  });

  it('sends a snapshot of the board with the seq it reflects', async () => {
    await seedOrder(db.pool, { orderId: 'SN1', merchantId: 'SNAP', dishes: [{ itemId: 'SN1a' }, { itemId: 'SN1b' }] });
    await seedOrder(db.pool, { orderId: 'SN2', merchantId: 'SNAP', dishes: [{ itemId: 'SN2a', state: 'SERVED' }] });
    for (const url of [`${srv.wsBase}?token=${token('kitchen', 'SNAP')}`, `${srv.wsBase}?token=${token('admin')}&merchant=SNAP`]) {
      const asked = Date.now();
      const s = new Screen(url);
      await s.wait((f) => f.length >= 1, 'snapshot');
      const got = Date.now();
      const snap = s.frames[0] as Frame & { orders: Array<{ orderId: string; dishes: unknown[] }>; serverTime: string };
      assert.equal(snap.type, 'snapshot');
      assert.equal(snap.seq, 5, '2 orders + 3 dishes logged');
      assert.deepEqual(snap.orders.map((o) => o.orderId), ['SN1']);
      assert.equal(snap.orders[0]?.dishes.length, 2);
      const serverTime = Date.parse(snap.serverTime);
      assert.ok(serverTime >= asked && serverTime <= got, 'the server\'s time of the read, between asking and getting');
      await s.close();
    }
  });
});

describe('the feed', () => {
  it('delivers thousands of concurrent changes in seq order with no gaps or duplicates', async () => {
    const kitchen = new Screen(`${srv.wsBase}?token=${token('kitchen', 'BULK')}`);
    const waiter = new Screen(`${srv.wsBase}?token=${token('waiter', 'BULK')}`);
    await kitchen.wait((f) => f.length >= 1, 'kitchen snapshot');
    await waiter.wait((f) => f.length >= 1, 'waiter snapshot');
    const N = 3000;
    await produce(db.pool, 'BULK', N, { perTx: 3, workers: 12, serveEvery: 7, notify: srv });
    await kitchen.wait((f) => f.at(-1)?.seq === N, `kitchen to reach seq ${N}`, 20_000);
    await waiter.wait((f) => f.at(-1)?.seq === N, `waiter to reach seq ${N}`, 20_000);
    assert.deepEqual(seqsOf(kitchen.frames, 'dish'), range(1, N));
    assert.equal(kitchen.of('serve').length, 0, 'kitchens get no serve calls');
    assert.deepEqual(seqsOf(waiter.frames, 'dish'), range(1, N));
    // the serve call follows its dish frame and carries the same seq
    const serveSeqs = seqsOf(waiter.frames, 'serve');
    assert.equal(serveSeqs.length, Math.ceil(N / 7));
    waiter.frames.forEach((f, i) => {
      if (f.type === 'serve') assert.deepEqual([waiter.frames[i - 1]?.type, waiter.frames[i - 1]?.seq], ['dish', f.seq]);
    });
    await Promise.all([kitchen.close(), waiter.close()]);
  });

  it('resumes with afterSeq with exactly the missed changes', async () => {
    await produce(db.pool, 'RES', 5);
    const first = new Screen(`${srv.wsBase}?token=${token('kitchen', 'RES')}`);
    await first.wait((f) => f.length >= 1, 'snapshot');
    assert.equal(first.frames[0]?.seq, 5);
    await first.close();
    await produce(db.pool, 'RES', 40, { perTx: 4 });
    const again = new Screen(`${srv.wsBase}?token=${token('kitchen', 'RES')}&afterSeq=5`);
    await again.wait((f) => f.at(-1)?.seq === 45, 'missed changes');
    assert.deepEqual(again.frames.map((f) => [f.type, f.seq]), range(6, 45).map((n) => ['dish', n]));
    await produce(db.pool, 'RES', 2, { notify: srv });
    await again.wait((f) => f.at(-1)?.seq === 47, 'live changes after the replay');
    assert.deepEqual(seqsOf(again.frames, 'dish'), range(6, 47));
    await again.close();
  });

  it('sends a snapshot when the missed changes are archived or afterSeq is ahead', async () => {
    await seedOrder(db.pool, { orderId: 'AR1', merchantId: 'ARCH', dishes: [{ itemId: 'AR1a' }] });
    await produce(db.pool, 'ARCH', 20);
    await db.pool.query(`INSERT INTO change_log_archive SELECT * FROM change_log WHERE merchant_id = 'ARCH' AND seq <= 10`);
    await db.pool.query(`DELETE FROM change_log WHERE merchant_id = 'ARCH' AND seq <= 10`);
    for (const afterSeq of [3, 99]) {
      const s = new Screen(`${srv.wsBase}?token=${token('kitchen', 'ARCH')}&afterSeq=${afterSeq}`);
      await s.wait((f) => f.length >= 1, 'a frame');
      assert.deepEqual([s.frames[0]?.type, s.frames[0]?.seq], ['snapshot', 22]);
      await s.close();
    }
    const ok = new Screen(`${srv.wsBase}?token=${token('kitchen', 'ARCH')}&afterSeq=10`);
    await ok.wait((f) => f.at(-1)?.seq === 22, 'replay from the oldest kept change');
    assert.deepEqual(ok.frames.map((f) => f.type), Array(12).fill('dish'));
    const current = new Screen(`${srv.wsBase}?token=${token('kitchen', 'ARCH')}&afterSeq=22`);
    await produce(db.pool, 'ARCH', 1, { notify: srv });
    await current.wait((f) => f.length >= 1, 'next change');
    assert.deepEqual(current.frames.map((f) => [f.type, f.seq]), [['dish', 23]], 'up to date: no snapshot, just news');
    await Promise.all([ok.close(), current.close()]);
  });

  it('marks reach kitchens, waiters get the serve call, guests see only their order', async () => {
    await seedOrder(db.pool, { orderId: 'G1', merchantId: 'GM', dishes: [{ itemId: 'G1a' }] });
    await seedOrder(db.pool, { orderId: 'G2', merchantId: 'GM', dishes: [{ itemId: 'G2a' }] });
    const kitchen = new Screen(`${srv.wsBase}?token=${token('kitchen', 'GM')}`);
    const waiter = new Screen(`${srv.wsBase}?token=${token('waiter', 'GM')}`);
    const guest1 = new Screen(`${srv.wsBase}?token=${token('guest', 'GM', 'G1')}`);
    const guest2 = new Screen(`${srv.wsBase}?token=${token('guest', 'GM', 'G2')}`);
    for (const s of [kitchen, waiter, guest1, guest2]) await s.wait((f) => f.length >= 1, 'snapshot');
    const g1snap = guest1.frames[0] as Frame & { orders: Array<{ orderId: string }> };
    assert.deepEqual(g1snap.orders.map((o) => o.orderId), ['G1']);

    assert.equal((await api(srv.base, 'POST', '/api/dishes/G1a/ready', token('kitchen', 'GM'))).status, 200);
    await waiter.wait((f) => f.some((x) => x.type === 'serve'), 'serve call');
    await kitchen.wait((f) => f.length >= 2, 'dish frame');
    await guest1.wait((f) => f.length >= 2, 'guest dish frame');
    const serve = waiter.of('serve')[0] as Frame & { dish: { itemId: string; state: string } };
    assert.deepEqual([serve.seq, serve.dish.itemId, serve.dish.state], [5, 'G1a', 'READY']);
    assert.deepEqual(waiter.frames.slice(1).map((f) => [f.type, f.seq]), [['dish', 5], ['serve', 5]]);
    assert.deepEqual(kitchen.frames.slice(1).map((f) => [f.type, f.seq]), [['dish', 5]]);
    assert.deepEqual(guest1.frames.slice(1).map((f) => [f.type, f.seq]), [['dish', 5]]);

    assert.equal((await api(srv.base, 'POST', '/api/dishes/G2a/ready', token('kitchen', 'GM'))).status, 200);
    await guest2.wait((f) => f.length >= 2, 'guest 2 dish frame');
    await kitchen.wait((f) => f.length >= 3, 'second dish frame');
    guest1.ws.send('{"type":"ping"}');
    await guest1.wait((f) => f.at(-1)?.type === 'pong', 'pong');
    assert.deepEqual(guest1.frames.map((f) => f.type), ['snapshot', 'dish', 'pong'], 'nothing of order G2');
    assert.equal(guest1.frames.at(-1)?.seq, 6, 'control frames carry the seq already covered');
    await Promise.all([kitchen, waiter, guest1, guest2].map((s) => s.close()));
  });
});

describe('robustness', () => {
  it('answers garbage with error frames and stays healthy', async () => {
    const s = new Screen(`${srv.wsBase}?token=${token('kitchen', 'JUNK')}`);
    await s.wait((f) => f.length >= 1, 'snapshot');
    s.ws.send('not json');
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    s.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    s.ws.send('{"type":"subscribe"}');
    s.ws.send('null');
    s.ws.send('{"type":"ping"}');
    await s.wait((f) => f.length >= 7, 'six answers');
    assert.deepEqual(s.frames.slice(1).map((f) => f.type), ['error', 'error', 'error', 'error', 'error', 'pong']);
    assert.ok(s.of('error').every((f) => f.error === 'bad_message' && typeof f.message === 'string'));
    const huge = new Screen(`${srv.wsBase}?token=${token('kitchen', 'JUNK')}`);
    await huge.opened;
    huge.ws.send('x'.repeat(200_000));
    await waitUntil(() => huge.closeCode, 'oversized frame to close only that socket');
    assert.equal(huge.closeCode, 1009);
    assert.equal((await api(srv.base, 'GET', '/healthz')).status, 200);
    await produce(db.pool, 'JUNK', 1, { notify: srv });
    await s.wait((f) => f.at(-1)?.type === 'dish', 'the screen still gets changes');
    await s.close();
  });

  it('cuts off a screen that does not read (4008) while others keep up', async () => {
    // a long grace: the test reads the stuck socket only after the whole burst, and a busy machine
    // must not drop it before then
    const small = await startServer(db.pool, { hub: { maxBufferedBytes: 64 * 1024, closeGraceMs: 60_000 } });
    try {
      const reader = new Screen(`${small.wsBase}?token=${token('kitchen', 'SLOW')}`);
      await reader.wait((f) => f.length >= 1, 'snapshot');
      const { socket: stuck, frames } = await rawSocket(small.port, `/ws?token=${token('kitchen', 'SLOW')}`);
      stuck.pause();
      let stuckClosed = false;
      stuck.on('close', () => { stuckClosed = true; });
      stuck.on('error', () => undefined);
      await waitUntil(() => small.hub.clientCount() === 2, 'two screens');
      await produce(db.pool, 'SLOW', 400, { perTx: 20, note: 'n'.repeat(20_000), notify: small });
      await reader.wait((f) => f.at(-1)?.seq === 400, 'the reading screen to get everything', 20_000);
      // The stuck screen was cut off during that push, and is given a grace to read up to the close
      // frame before its socket is dropped: read now, as a screen that was only slow would.
      stuck.resume();
      // what it was told, behind the frames it never read: close 4008, "resume with afterSeq"
      const close = await waitUntil(() => frames().find((f) => f.opcode === 0x8), 'the close frame, behind the unread frames', 20_000);
      assert.equal(close.payload.readUInt16BE(0), 4008);
      assert.match(close.payload.subarray(2).toString(), /afterSeq/);
      stuck.destroy(); // the screen goes (a real one reconnects with afterSeq)
      await waitUntil(() => stuckClosed, 'the stuck socket to be closed');
      await waitUntil(() => small.hub.clientCount() === 1, 'the stuck screen to be dropped', 10_000);
      await reader.close();
    } finally {
      await small.close();
    }
  });

  it('drops screens that stop answering pings', async () => {
    const hb = await startServer(db.pool, { hub: { heartbeatMs: 100 } });
    try {
      const alive = new Screen(`${hb.wsBase}?token=${token('kitchen', 'HB')}`);
      await alive.opened;
      const { socket: dead } = await rawSocket(hb.port, `/ws?token=${token('kitchen', 'HB')}`); // reads, but never answers a ping
      const gone = new Promise((r) => dead.once('close', r));
      await gone;
      assert.equal(alive.ws.readyState, WebSocket.OPEN, 'a screen that answers stays');
      await waitUntil(() => hb.hub.clientCount() === 1, 'one screen left');
      await alive.close();
    } finally {
      await hb.close();
    }
  });

  it('a change made through instance A reaches a screen on instance B (B polls the change log)', async () => {
    const b = await startServer(db.pool);
    try {
      await seedOrder(db.pool, { orderId: 'X1', merchantId: 'XI', dishes: [{ itemId: 'X1a' }, { itemId: 'X1b' }] });
      const onB = new Screen(`${b.wsBase}?token=${token('waiter', 'XI')}`);
      await onB.wait((f) => f.length >= 1, 'snapshot on B');
      // nothing tells B of A's commits: B's poll of merchant_seq (every 200 ms) is the only way
      for (const item of ['X1a', 'X1b']) {
        const r = await api(srv.base, 'POST', `/api/dishes/${item}/ready`, token('kitchen', 'XI'));
        assert.equal(r.status, 200);
        await onB.wait((f) => f.some((x) => x.type === 'serve' && (x.dish as { itemId: string }).itemId === item), `serve ${item} on B`, 10_000);
      }
      assert.deepEqual(seqsOf(onB.frames, 'dish'), [4, 5]);
      await onB.close();
    } finally {
      await b.close();
    }
  });
});

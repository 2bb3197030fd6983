// A reconnect storm (every screen of every merchant at once, as after a deploy) costs a few
// snapshot reads per merchant, not one per screen; resuming screens share one walk of the log;
// and a screen whose first snapshot is larger than the slow-client limit is not cut off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { SESSION_SQL_MODE } from '../../src/db/pool';
import type { RateLimits } from '../../src/limits/limits';
import { freshDatabase, type TestDb } from '../support/db';
import { Screen, seedOrder, startServer, token, waitUntil } from '../support/screens';

let db: TestDb;
const OFF = { perMinute: 0, burst: 0 };
const NO_LIMITS: RateLimits = { apiPerToken: OFF, apiPerAddress: OFF, wsPerToken: OFF, wsPerAddress: OFF };
const MERCHANTS = ['S1', 'S2', 'S3'];
const latest = new Map<string, number>();

before(async () => {
  db = await freshDatabase('storm');
  for (const m of MERCHANTS) {
    for (let o = 0; o < 5; o++) {
      const seq = await seedOrder(db.pool, { orderId: `${m}-O${o}`, merchantId: m, dishes: [{ itemId: `${m}-O${o}-a` }, { itemId: `${m}-O${o}-b` }] });
      latest.set(m, seq);
    }
  }
});

after(async () => {
  await db.drop();
});

describe('reconnect storm', () => {
  it('300 screens of 3 merchants connecting at once: at most a few snapshot reads per merchant', async () => {
    const reads = new Map<string, number>();
    const srv = await startServer(db.pool, {
      limits: NO_LIMITS,
      hub: { onSnapshotRead: (m) => reads.set(m, (reads.get(m) ?? 0) + 1) },
    });
    try {
      const screens = MERCHANTS.flatMap((m) => Array.from({ length: 100 }, (_, i) =>
        // 100 screens, 100 tokens: one token may hold 20 sockets (contract)
        ({ m, s: new Screen(`${srv.wsBase}?token=${token('kitchen', m, undefined, 3600 + i)}`) })));
      await Promise.all(screens.map((x) => x.s.opened));
      await waitUntil(() => screens.every((x) => x.s.of('snapshot').length === 1), 'every screen to get its snapshot', 20_000);
      for (const { m, s } of screens) {
        const [snap] = s.of('snapshot');
        assert.equal(snap?.seq, latest.get(m));
        assert.equal((snap?.orders as unknown[]).length, 5);
      }
      for (const m of MERCHANTS) {
        const n = reads.get(m) ?? 0;
        assert.ok(n >= 1 && n <= 3, `merchant ${m}: ${n} snapshot reads for 100 screens`);
      }
      await Promise.all(screens.map((x) => x.s.close()));
    } finally {
      await srv.close();
    }
  });

  it('screens resuming together each get exactly the changes after their own afterSeq', async () => {
    const reads: string[] = [];
    const srv = await startServer(db.pool, { limits: NO_LIMITS, hub: { onSnapshotRead: (m) => reads.push(m) } });
    try {
      const top = latest.get('S1') ?? 0;
      const afters = Array.from({ length: 60 }, (_, i) => top - (i % 6)); // 0..5 changes behind
      const screens = afters.map((n, i) => ({ n, s: new Screen(`${srv.wsBase}?token=${token('kitchen', 'S1', undefined, 3600 + i)}&afterSeq=${n}`) }));
      await Promise.all(screens.map((x) => x.s.opened));
      // the ones that missed nothing get nothing; ping to know they are live
      await waitUntil(() => screens.every((x) => x.s.frames.filter((f) => f.type !== 'pong').length === top - x.n), 'replays', 10_000);
      for (const { n, s } of screens) {
        assert.deepEqual(s.frames.map((f) => f.seq), Array.from({ length: top - n }, (_, i) => n + 1 + i));
      }
      assert.deepEqual(reads, [], 'no snapshot needed');
      // then they are live: a new change reaches all of them once
      const seq = await seedOrder(db.pool, { orderId: 'S1-late', merchantId: 'S1', dishes: [{ itemId: 'S1-late-a' }] }, srv.hub);
      latest.set('S1', seq);
      await waitUntil(() => screens.every((x) => x.s.frames.some((f) => f.seq === seq)), 'the new change on every screen');
      for (const { s } of screens) {
        assert.deepEqual(s.frames.filter((f) => f.seq >= seq - 1).map((f) => [f.seq, f.type]), [[seq - 1, 'order'], [seq, 'dish']]);
      }
      await Promise.all(screens.map((x) => x.s.close()));
    } finally {
      await srv.close();
    }
  });
});

describe('large first snapshot', () => {
  it('a snapshot over the slow-client limit is delivered, and the screen stays connected', async () => {
    // ~4 MB of board against a 64 KiB limit: the socket cannot take it in one write
    await seedOrder(db.pool, { orderId: 'BIG', merchantId: 'BIG', dishes: [{ itemId: 'BIG-0' }] });
    await db.pool.query(
      `INSERT INTO dishes (item_id, order_id, merchant_id, name, quantity, station, note, upstream_status, upstream_version, state, placed_at, updated_at)
       SELECT CONCAT('BIG-n', seq), 'BIG', 'BIG', 'soup', 1, 'grill', REPEAT('n', 60000), 'PLACED', 1, 'WAITING', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)
         FROM (SELECT a.n * 10 + b.n AS seq FROM
                 (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6) a,
                 (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b) t`,
    );
    const srv = await startServer(db.pool, { hub: { maxBufferedBytes: 64 * 1024 } });
    try {
      const s = new Screen(`${srv.wsBase}?token=${token('kitchen', 'BIG')}`);
      await s.opened;
      await s.wait((f) => f.some((x) => x.type === 'snapshot'), 'the big snapshot', 20_000);
      const snap = s.of('snapshot')[0];
      const dishes = (snap?.orders as { dishes: unknown[] }[])[0]?.dishes ?? [];
      assert.equal(dishes.length, 71);
      const seq = await seedOrder(db.pool, { orderId: 'BIG-2', merchantId: 'BIG', dishes: [{ itemId: 'BIG-2-a' }] }, srv.hub);
      await s.wait((f) => f.some((x) => x.seq === seq), 'the next change');
      assert.equal(s.closeCode, undefined, 'not cut off');
      await s.close();
    } finally {
      await srv.close();
    }
  });
});

describe('database sessions', () => {
  it('every pool connection runs the pinned sql_mode (no NO_BACKSLASH_ESCAPES, no ANSI_QUOTES): backslashes escape', async () => {
    const conns = await Promise.all([1, 2, 3].map(() => db.pool.getConnection()));
    try {
      for (const c of conns) {
        const [rows] = await c.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
        const modes = String(rows[0]?.m).split(',').sort();
        assert.deepEqual(modes, SESSION_SQL_MODE.split(',').sort());
        // what the change-log literals rely on: a backslash escapes
        const [esc] = await c.query<RowDataPacket[]>("SELECT 'a\\\\b' AS v");
        assert.equal(esc[0]?.v, 'a\\b');
      }
    } finally {
      for (const c of conns) c.release();
    }
  });
});

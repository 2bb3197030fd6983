// The archive job on generated old data: interrupted after one batch, resumed, every old row ends
// in its archive table exactly once (same content), every recent row untouched, and an order that
// still has pending retry entries is kept whatever its age. Dish marks move with their orders;
// stats contributions of archived orders and dishes are dropped. The change log leaves by whole
// days, as partitions, and what is left before the cutoff's day row by row.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { createArchiveJob } from '../../src/archive/job';
import { silentLogger } from '../../src/log';
import { freshDatabase, type TestDb } from '../support/db';
import { count } from '../support/orders';

let db: TestDb;
const DAY = 86_400_000;
const NOW = new Date();
const OLD = new Date(NOW.getTime() - 10 * DAY);
const RECENT = new Date(NOW.getTime() - 1 * DAY);

const FP = {
  orders: "order_id, merchant_id, IFNULL(table_no, '-'), status, version, placed_at, upstream_updated_at, created_at, updated_at",
  dishes: "item_id, order_id, merchant_id, IFNULL(dish_id, '-'), name, quantity, IFNULL(station, '-'), IFNULL(note, '-'), upstream_status, upstream_version, state, IFNULL(ready_at, '-'), IFNULL(served_at, '-'), placed_at, updated_at",
  change_log: 'merchant_id, seq, kind, order_id, IFNULL(item_id, \'-\'), serve, payload, created_at',
  retry_entries: "id, order_id, queue_pos, event_id, status, attempts, IFNULL(last_error, '-'), raw_event, created_at, updated_at",
  dish_marks: "id, merchant_id, order_id, item_id, action, from_state, to_state, role, IFNULL(device_id, '-'), at",
};

/** Row count and a content checksum of the rows of `table` matching `where`. */
async function fingerprint(table: keyof typeof FP | `${keyof typeof FP}_archive`, where = '1 = 1'): Promise<string> {
  const cols = FP[table.replace('_archive', '') as keyof typeof FP];
  const [rows] = await db.pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(CONCAT_WS('|', ${cols}))), 0) AS h FROM ${table} WHERE ${where}`,
  );
  return `${String(rows[0]?.n)}/${String(rows[0]?.h)}`;
}

async function insert(table: string, cols: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db.pool.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ?`, [rows.slice(i, i + 1000)]);
  }
}

function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
}

async function seed(): Promise<void> {
  const old = ids('OA', 1200);
  const recent = ids('OR', 300);
  const orphans = ids('OX', 30); // events of orders never stored (discarded), long ago
  const at = (base: Date, i: number): Date => new Date(base.getTime() + i * 1000);
  const orders = [...old.map((o, i) => [o, at(OLD, i)]), ['OA-BLOCKED', OLD], ...recent.map((o, i) => [o, at(RECENT, i)])];
  await insert('orders', ['order_id', 'merchant_id', 'table_no', 'status', 'version', 'placed_at', 'upstream_updated_at', 'created_at', 'updated_at'],
    orders.map(([o, t]) => [o, 'M1', 'T1', 'COMPLETED', 3, t, t, t, t]));
  await insert('dishes', ['item_id', 'order_id', 'merchant_id', 'dish_id', 'name', 'quantity', 'station', 'note', 'upstream_status', 'upstream_version', 'state', 'served_at', 'placed_at', 'updated_at'],
    orders.flatMap(([o, t]) => [1, 2].map((k) => [`${String(o)}-${k}`, o, 'M1', 'D1', `Dish ${k} 麻婆`, k, 'wok', k === 1 ? null : 'no onion', 'ACTIVE', 3, 'SERVED', t, t, t])));
  await insert('order_guards', ['order_id', 'merchant_id', 'open_entries', 'tail_pos'],
    [...old, ...recent, ...orphans].map((o) => [o, 'M1', 0, 1]).concat([['OA-BLOCKED', 'M1', 1, 2]]));
  const entry = (o: string, pos: number, status: string, t: Date): unknown[] =>
    [o, 'M1', pos, `${o}-e${pos}`, 'ORDER_PLACED', pos, t, `{"orderId":"${o}"}`, 'test', status, 1, 'server_error: 503', t, t];
  await insert('retry_entries', ['order_id', 'merchant_id', 'queue_pos', 'event_id', 'event_type', 'event_version', 'occurred_at', 'raw_event', 'source', 'status', 'attempts', 'last_error', 'created_at', 'updated_at'], [
    ...old.slice(0, 100).map((o) => entry(o, 1, 'DONE', OLD)),
    ...orphans.map((o) => entry(o, 1, 'DISCARDED', OLD)),
    entry('OA-BLOCKED', 1, 'DONE', OLD),
    entry('OA-BLOCKED', 2, 'FAILED', OLD),
    ...recent.slice(0, 50).map((o) => entry(o, 1, 'DONE', RECENT)),
  ]);
  // a dish mark per dish (two on the first), a stats contribution per order and per dish
  await insert('dish_marks', ['merchant_id', 'order_id', 'item_id', 'action', 'from_state', 'to_state', 'role', 'device_id', 'at'],
    orders.flatMap(([o, t]) => [[1, 'ready'], [1, 'serve'], [2, 'ready']].map(([k, a]) =>
      ['M1', o, `${String(o)}-${String(k)}`, a, 'WAITING', 'READY', 'kitchen', k === 2 ? null : 'dev-1', t])));
  await insert('stats_marks', ['kind', 'id', 'merchant_id', 'local_date', 'hour_start', 'local_hour', 'station', 'served'],
    orders.flatMap(([o, t]) => [['O', o, ''], ['D', `${String(o)}-1`, 'wok'], ['D', `${String(o)}-2`, 'wok']].map(([kind, id, station]) =>
      [kind, id, 'M1', t, t, 0, station, 1])));
  const log = (seq: number, t: Date): unknown[] => ['M1', seq, 'dish', `O${seq}`, `O${seq}-1`, seq % 2, `{"seq":${seq}}`, t];
  await insert('change_log', ['merchant_id', 'seq', 'kind', 'order_id', 'item_id', 'serve', 'payload', 'created_at'], [
    ...Array.from({ length: 2000 }, (_, i) => log(i + 1, at(OLD, i))),
    ...Array.from({ length: 500 }, (_, i) => log(2001 + i, at(RECENT, i))),
  ]);
}

before(async () => {
  db = await freshDatabase('archive');
  await seed();
});
after(async () => {
  await db.drop();
});

test('interrupted after one batch, resumed: everything old moved exactly once, everything recent untouched', async () => {
  const oldOrders = "order_id LIKE 'OA%' AND order_id <> 'OA-BLOCKED'";
  // closed entries go by their own age, also those of an order that is kept (OA-BLOCKED's DONE one)
  const oldEntries = "(order_id LIKE 'OA%' AND status = 'DONE') OR order_id LIKE 'OX%'";
  const before = {
    oldOrders: await fingerprint('orders', oldOrders),
    oldDishes: await fingerprint('dishes', oldOrders),
    oldEntries: await fingerprint('retry_entries', oldEntries),
    oldLog: await fingerprint('change_log', 'seq <= 2000'),
    keptOrders: await fingerprint('orders', "order_id NOT LIKE 'OA%' OR order_id = 'OA-BLOCKED'"),
    keptDishes: await fingerprint('dishes', "order_id NOT LIKE 'OA%' OR order_id = 'OA-BLOCKED'"),
    keptEntries: await fingerprint('retry_entries', `NOT (${oldEntries})`),
    keptLog: await fingerprint('change_log', 'seq > 2000'),
    oldMarks: await fingerprint('dish_marks', oldOrders),
    keptMarks: await fingerprint('dish_marks', "order_id NOT LIKE 'OA%' OR order_id = 'OA-BLOCKED'"),
  };
  assert.equal(before.oldMarks.split('/')[0], '3600');
  assert.equal(before.oldOrders.split('/')[0], '1200');
  const job = createArchiveJob({ pool: db.pool, log: silentLogger, afterDays: 7, batchSize: 500, clock: () => NOW });

  const first = await job.runOnce({ maxBatches: 1 });
  assert.deepEqual([first.complete, first.batches, first.orders, first.dishes], [false, 1, 500, 1000]);
  assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM orders_archive'), 500);

  const aborted = await job.runOnce({ signal: AbortSignal.abort() });
  assert.deepEqual([aborted.complete, aborted.batches, aborted.orders], [false, 0, 0]);

  const rest = await job.runOnce();
  assert.equal(rest.complete, true);
  assert.deepEqual([rest.orders, rest.dishes, rest.changes, rest.keptBlocked], [700, 1400, 2000, 1]);
  assert.equal(first.retryEntries + rest.retryEntries, 131);
  assert.equal(first.guards + rest.guards, 1200);
  assert.equal(first.dishMarks + rest.dishMarks, 3600);
  assert.equal(first.statsMarks + rest.statsMarks, 3600);

  // moved, with the same content, once
  assert.equal(await fingerprint('orders_archive'), before.oldOrders);
  assert.equal(await fingerprint('dishes_archive'), before.oldDishes);
  assert.equal(await fingerprint('retry_entries_archive'), before.oldEntries);
  assert.equal(await fingerprint('change_log_archive'), before.oldLog);
  assert.equal(await fingerprint('dish_marks_archive'), before.oldMarks);
  // contributions of archived orders and dishes dropped; those of the kept ones untouched
  assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM stats_marks WHERE id LIKE 'OA%' AND id NOT LIKE 'OA-BLOCKED%'"), 0);
  assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM stats_marks'), 3 * 301);
  // the rest untouched, the blocked order kept with its dishes and queue
  assert.equal(await fingerprint('orders'), before.keptOrders);
  assert.equal(await fingerprint('dishes'), before.keptDishes);
  assert.equal(await fingerprint('retry_entries'), before.keptEntries);
  assert.equal(await fingerprint('change_log'), before.keptLog);
  assert.equal(await fingerprint('dish_marks'), before.keptMarks);
  assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM order_guards WHERE order_id LIKE 'OA%'"), 1);
  assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM order_guards'), 1 + 300 + 30);

  const again = await job.runOnce();
  assert.deepEqual([again.orders, again.dishes, again.retryEntries, again.changes, again.dishMarks, again.statsMarks, again.complete], [0, 0, 0, 0, 0, 0, true]);
  assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM job_state WHERE name = 'archive'"), 1);
});

test('a second instance skips the run while one holds the archive lock', async () => {
  const conn = await db.pool.getConnection();
  try {
    await conn.query("SELECT GET_LOCK(LEFT(CONCAT('kds.archive.', DATABASE()), 64), 0)");
    const job = createArchiveJob({ pool: db.pool, log: silentLogger, afterDays: 7 });
    assert.equal((await job.runOnce()).skipped, 'locked');
  } finally {
    await conn.query("SELECT RELEASE_LOCK(LEFT(CONCAT('kds.archive.', DATABASE()), 64))");
    conn.release();
  }
});

test('log entries of one millisecond across batches: each moved once, the rest of the log untouched', async () => {
  // the change log's move keeps a cursor on created_at (so it does not rescan what it deleted) and
  // takes the cursor's own millisecond again: 40 entries of one instant, batches of 7
  const log = (seq: number, t: Date): unknown[] => ['M-MS', seq, 'order', `OMS${seq}`, null, 0, `{"seq":${seq}}`, t];
  const instant = new Date(OLD.getTime() + 123);
  await insert('change_log', ['merchant_id', 'seq', 'kind', 'order_id', 'item_id', 'serve', 'payload', 'created_at'], [
    log(1, new Date(instant.getTime() - 1)),
    ...Array.from({ length: 40 }, (_, i) => log(2 + i, instant)),
    log(42, new Date(instant.getTime() + 1)),
    log(43, RECENT),
  ]);
  const moved = await fingerprint('change_log', "merchant_id = 'M-MS' AND seq <= 42");
  const run = await createArchiveJob({ pool: db.pool, log: silentLogger, afterDays: 7, batchSize: 7, clock: () => NOW }).runOnce();
  assert.deepEqual([run.changes, run.batches, run.complete], [42, 6, true]);
  assert.equal(await fingerprint('change_log_archive', "merchant_id = 'M-MS'"), moved);
  assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM change_log WHERE merchant_id = 'M-MS'"), 1);
  assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM change_log WHERE merchant_id = 'M-MS' AND seq = 43"), 1);
});

test('whole days of the change log leave as partitions; log entries before the day the cutoff falls in row by row; the rest kept', async () => {
  // a run three weeks from now: today's partition and the days made ahead of it are then wholly
  // older than the cutoff's day, and leave by a copy and a drop
  const later = new Date(NOW.getTime() + 21 * DAY);
  const logCut = new Date(Math.floor((later.getTime() - 7 * DAY) / DAY) * DAY);
  const log = (seq: number, t: Date): unknown[] => ['M-DAY', seq, 'order', `OD${seq}`, null, 0, `{"seq":${seq},"note":"<b>麻婆</b>"}`, t];
  await insert('change_log', ['merchant_id', 'seq', 'kind', 'order_id', 'item_id', 'serve', 'payload', 'created_at'], [
    log(1, new Date(logCut.getTime() - 1)), // in a partition that also holds newer entries: row by row
    log(2, logCut), // the cutoff's own day: kept
    log(3, new Date(later.getTime() + 3_600_000)), // beyond every day made so far (in pmax until split): kept
  ]);
  const partitions = async (): Promise<string[]> => {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'change_log' ORDER BY PARTITION_ORDINAL_POSITION",
    );
    return rows.map((r) => String(r.p));
  };
  const name = (t: Date): string => `lt${t.toISOString().slice(0, 10).replace(/-/g, '')}`;
  const today = new Date(Math.floor(NOW.getTime() / DAY) * DAY);
  const was = await partitions();
  // as migration 150 made them (the earlier runs, clock NOW, had nothing to add): up to the end of
  // today, then a partition for each of the three days after
  assert.deepEqual(was, [1, 2, 3, 4].map((k) => name(new Date(today.getTime() + k * DAY))).concat('pmax'));
  // left from the tests before: merchant M1's recent entries and M-MS's last, all in today's partition
  const leaving = await fingerprint('change_log', "merchant_id <> 'M-DAY'");
  const leavingCount = Number(leaving.split('/')[0]);
  assert.equal(leavingCount, 501);
  const rowByRow = await fingerprint('change_log', "merchant_id = 'M-DAY' AND seq = 1");

  const run = await createArchiveJob({ pool: db.pool, log: silentLogger, afterDays: 7, batchSize: 7, clock: () => later }).runOnce();
  assert.equal(run.complete, true);
  assert.equal(run.logDays, 4, 'the partitions of today and the three days after it left whole');
  // the days' entries and the row-by-row one are in the archive, unchanged
  assert.equal(await fingerprint('change_log_archive', "(merchant_id = 'M1' AND seq > 2000) OR (merchant_id = 'M-MS' AND seq = 43)"), leaving);
  assert.equal(await fingerprint('change_log_archive', "merchant_id = 'M-DAY'"), rowByRow);
  // what is left: the cutoff's day and the entry beyond it; partitions up to three days after `later`
  assert.deepEqual((await db.pool.query<RowDataPacket[]>('SELECT seq FROM change_log ORDER BY seq'))[0].map((r) => Number(r.seq)), [2, 3]);
  const laterDay = new Date(Math.floor(later.getTime() / DAY) * DAY);
  assert.deepEqual(await partitions(), [0, 1, 2, 3, 4].map((k) => name(new Date(laterDay.getTime() + k * DAY))).concat('pmax'));
  const [where] = await db.pool.query<RowDataPacket[]>("SELECT seq FROM change_log PARTITION (" + name(new Date(laterDay.getTime() + DAY)) + ')');
  assert.deepEqual(where.map((r) => Number(r.seq)), [3], 'the entry an hour after `later` split out of pmax into its day');
});

test('with a pause set, the run rests after every batch; a stop during a rest ends the run after that batch', async () => {
  const paced = ids('OP', 25);
  await insert('orders', ['order_id', 'merchant_id', 'table_no', 'status', 'version', 'placed_at', 'upstream_updated_at', 'created_at', 'updated_at'],
    paced.map((o, i) => {
      const t = new Date(OLD.getTime() + i * 1000);
      return [o, 'M1', 'T1', 'COMPLETED', 3, t, t, t, t];
    }));
  const stop = new AbortController();
  const stopped = await createArchiveJob({
    pool: db.pool, log: silentLogger, afterDays: 7, batchSize: 10, clock: () => NOW, pausePercent: 50,
    rest: () => Promise.resolve(stop.abort()),
  }).runOnce({ signal: stop.signal });
  assert.deepEqual([stopped.batches, stopped.orders, stopped.complete], [1, 10, false]);

  const rests: number[] = [];
  const rest = await createArchiveJob({
    pool: db.pool, log: silentLogger, afterDays: 7, batchSize: 10, clock: () => NOW, pausePercent: 50,
    rest: (ms) => Promise.resolve(void rests.push(ms)),
  }).runOnce();
  assert.deepEqual([rest.batches, rest.orders, rest.complete], [2, 15, true]);
  assert.equal(rests.length, 2, 'a rest after each batch');
  assert.ok(rests.every((ms) => ms > 0), `rests in proportion to the batches' time: ${rests.join(', ')}`);

  const none: number[] = [];
  await createArchiveJob({ pool: db.pool, log: silentLogger, afterDays: 7, clock: () => NOW, pausePercent: 0, rest: (ms) => Promise.resolve(void none.push(ms)) }).runOnce();
  assert.deepEqual(none, [], 'no pause set: no rest');
});

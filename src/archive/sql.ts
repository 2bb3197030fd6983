// Statements of the archive job. Every move is `INSERT INTO x_archive … SELECT … ON DUPLICATE KEY
// UPDATE` then `DELETE` of the same keys, in one short transaction per batch: re-running a batch
// (after a crash, or by a second instance) changes nothing, so an interrupted run simply resumes.
// Columns are listed (not `SELECT *`) so a column added to one table but not its archive fails
// loudly instead of shifting values. VALUES(col) rather than MySQL 8.0.19's row alias: it works
// on MariaDB too (MySQL 8 only warns that it is deprecated).
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../db/pool';
import { dropClosedQueues } from '../order-queue/sql';
import { CLOSED_SQL, NOT_BLOCKED_SQL } from '../order-queue/states';

const ORDER_COLS = [
  'order_id', 'merchant_id', 'table_no', 'status', 'version', 'placed_at', 'upstream_updated_at',
  'created_at', 'updated_at', 'ticket_no', 'local_date', 'local_hour', 'hour_start', 'rush',
  'channel', 'platform', 'pickup_at',
];
const DISH_COLS = [
  'item_id', 'order_id', 'merchant_id', 'dish_id', 'name', 'quantity', 'station', 'note',
  'upstream_status', 'upstream_version', 'state', 'ready_at', 'served_at', 'placed_at', 'updated_at',
  'added_to', 'course', 'upstream_hold', 'held', 'fired_at', 'due_at',
];
const MARK_COLS = ['id', 'merchant_id', 'order_id', 'item_id', 'action', 'from_state', 'to_state', 'role', 'device_id', 'at'];
export const LOG_COLS = ['merchant_id', 'seq', 'kind', 'order_id', 'item_id', 'serve', 'payload', 'created_at'];
const RETRY_COLS = [
  'id', 'order_id', 'merchant_id', 'queue_pos', 'event_id', 'event_type', 'event_version', 'occurred_at',
  'raw_event', 'source', 'status', 'attempts', 'last_error', 'next_attempt_at', 'mailed_at', 'created_at',
  'updated_at',
];

/**
 * `INSERT INTO <table>_archive (cols) SELECT cols FROM <table> WHERE <where> ON DUPLICATE KEY UPDATE …`;
 * `partition` reads one partition of the table (./log-days-sql.ts).
 */
export function copySql(table: string, cols: readonly string[], where: string, partition?: string): string {
  const list = cols.join(', ');
  const upd = cols.map((c) => `${table}_archive.${c} = VALUES(${c})`).join(', ');
  const from = partition === undefined ? table : `${table} PARTITION (${partition})`;
  return `INSERT INTO ${table}_archive (${list}) SELECT ${list} FROM ${from} WHERE ${where} ON DUPLICATE KEY UPDATE ${upd}`;
}

export interface OrderCursor {
  placedAt: Date;
  orderId: string;
}

export const START: OrderCursor = { placedAt: new Date(0), orderId: '' };

/**
 * The next old orders after the cursor (orders_placed index, which carries the primary key), skipping
 * blocked orders (open retry entries: their events are not applied yet).
 */
export async function selectOldOrders(pool: Pool, cutoff: Date, after: OrderCursor, limit: number): Promise<OrderCursor[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT o.order_id, o.placed_at FROM orders o
      WHERE o.placed_at < ?
        AND (o.placed_at > ? OR (o.placed_at = ? AND o.order_id > ?))
        AND ${NOT_BLOCKED_SQL('o')}
      ORDER BY o.placed_at, o.order_id LIMIT ?`,
    [cutoff, after.placedAt, after.placedAt, after.orderId, limit],
  );
  return rows.map((r) => ({ placedAt: r.placed_at as Date, orderId: String(r.order_id) }));
}

export interface MovedOrders {
  orders: number;
  dishes: number;
  retryEntries: number;
  guards: number;
  dishMarks: number;
  statsMarks: number;
}

/**
 * Moves the orders with their dishes, the dishes' marks (dish_marks) and their closed retry entries,
 * drops their queues, and drops the orders' and dishes' stats contributions (stats_marks): a
 * contribution is read only when its dish or order changes again, which an archived one cannot.
 * The day figures they were added to stay (src/stats/). Contributions go before the dishes, whose
 * item ids find them.
 */
export async function moveOrders(conn: Conn, ids: readonly string[]): Promise<MovedOrders> {
  await conn.query(copySql('orders', ORDER_COLS, 'order_id IN (?)'), [ids]);
  await conn.query(copySql('dishes', DISH_COLS, 'order_id IN (?)'), [ids]);
  await conn.query(copySql('dish_marks', MARK_COLS, 'order_id IN (?)'), [ids]);
  await conn.query(copySql('retry_entries', RETRY_COLS, 'order_id IN (?)'), [ids]);
  const del = async (sql: string): Promise<number> => (await conn.query<ResultSetHeader>(sql, [ids]))[0].affectedRows;
  const statsMarks =
    (await del("DELETE m FROM stats_marks m JOIN dishes d ON m.kind = 'D' AND m.id = d.item_id WHERE d.order_id IN (?)")) +
    (await del("DELETE FROM stats_marks WHERE kind = 'O' AND id IN (?)"));
  const dishMarks = await del('DELETE FROM dish_marks WHERE order_id IN (?)');
  const dishes = await del('DELETE FROM dishes WHERE order_id IN (?)');
  // a fire still scheduled for an order this old will never be wanted
  await del('DELETE FROM scheduled_fires WHERE order_id IN (?)');
  const queues = await dropClosedQueues(conn, ids);
  const orders = await del('DELETE FROM orders WHERE order_id IN (?)');
  return { orders, dishes, retryEntries: queues.entries, guards: queues.guards, dishMarks, statsMarks };
}

export type LogKey = [merchantId: string, seq: number];

/** Where the change log's move has got to: the creation time of the last batch's newest entry. */
export type LogCursor = Date;

/**
 * The oldest log entries from the cursor on (change_log_created). The range starts at the cursor,
 * not at the start of the index: the entries moved before are deleted, but their index records stay
 * delete-marked until InnoDB's purge reaches them, and a scan from the start would step over all of
 * them again in every batch — millions after a day's move, while purge lags behind the deletes.
 * Entries of the cursor's own millisecond not moved yet are taken by `>=`.
 */
export async function selectOldChanges(pool: Pool, cutoff: Date, from: LogCursor, limit: number): Promise<{ keys: LogKey[]; next: LogCursor }> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT merchant_id, seq, created_at FROM change_log WHERE created_at >= ? AND created_at < ? ORDER BY created_at LIMIT ?',
    [from, cutoff, limit],
  );
  const last = rows[rows.length - 1];
  return { keys: rows.map((r) => [String(r.merchant_id), Number(r.seq)]), next: last === undefined ? from : (last.created_at as Date) };
}

export async function moveChanges(conn: Conn, keys: readonly LogKey[]): Promise<number> {
  await conn.query(copySql('change_log', LOG_COLS, '(merchant_id, seq) IN (?)'), [keys]);
  const [res] = await conn.query<ResultSetHeader>('DELETE FROM change_log WHERE (merchant_id, seq) IN (?)', [keys]);
  return res.affectedRows;
}

/** Closed entries last touched before the cutoff, after `afterId` (primary key order). */
export async function selectOldClosedEntries(pool: Pool, cutoff: Date, afterId: number, limit: number): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id FROM retry_entries
      WHERE id > ? AND status IN ${CLOSED_SQL} AND updated_at < ?
      ORDER BY id LIMIT ?`,
    [afterId, cutoff, limit],
  );
  return rows.map((r) => Number(r.id));
}

export async function moveClosedEntries(conn: Conn, ids: readonly number[]): Promise<number> {
  const where = `id IN (?) AND status IN ${CLOSED_SQL}`;
  await conn.query(copySql('retry_entries', RETRY_COLS, where), [ids]);
  const [res] = await conn.query<ResultSetHeader>(`DELETE FROM retry_entries WHERE ${where}`, [ids]);
  return res.affectedRows;
}

/** Old orders kept because their events are not all applied yet (reported, not an error). */
export async function countBlockedOld(pool: Pool, cutoff: Date): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM orders o
      WHERE o.placed_at < ?
        AND NOT ${NOT_BLOCKED_SQL('o')}`,
    [cutoff],
  );
  return Number(rows[0]?.n ?? 0);
}

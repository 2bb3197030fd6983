// The statements of the per-order queue: the guard row each order has, and its retry entries.
// This module (with ./decide.ts, the pure rules, and ./states.ts, the statuses and the SQL fragments
// other features' reads use) is the only code that reads or changes a queue's state: the consumer,
// the retry job, the operator actions and the archive job call it.
//
// Invariants it keeps:
// - `order_guards.open_entries` = the order's entries in PENDING or FAILED; changed only here, in
//   the same transaction as the entries, with the guard row locked;
// - entries of an order complete strictly in queue order (`queue_pos`), so the head is the open
//   entry with the lowest position, and the next one is simply the next by position;
// - only a PENDING head has `next_attempt_at` set: "due" is one index range scan.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { classified } from '../db/errors';
import { inTx, type Conn, type Pool } from '../db/pool';
import { clipText, storableDate } from '../db/fit';
import type { OrderEvent } from '../events/decode';
import type { EntryPlan, QueueState } from './decide';
import { CLOSED_SQL, isOpen, OPEN_SQL, sqlStatus } from './states';

export interface OrderRef {
  orderId: string;
  merchantId: string;
}

export interface LockedQueue extends QueueState {
  orderId: string;
  tailPos: number;
  /** The order row has its ticket number (src/tickets/): read here, under the same lock, for free. */
  ticketed: boolean;
}

export interface QueueEntry {
  id: number;
  order_id: string;
  merchant_id: string;
  queue_pos: number;
  event_id: string;
  event_type: string;
  event_version: number;
  status: string;
  attempts: number;
}

const ENTRY_COLUMNS =
  'id, order_id, merchant_id, queue_pos, event_id, event_type, event_version, status, attempts';

const byOrderId = (a: OrderRef, b: OrderRef): number => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);

interface GuardRow extends RowDataPacket {
  order_id: string;
  open_entries: number;
  tail_pos: number;
  version: number | null;
  ticket_no: number | null;
}

/**
 * Locks the queues (guard rows, created if missing) of several orders and the orders' rows, and
 * reads both. Rows are locked in order-id order, so two transactions never wait on each other in a
 * cycle. This is the first lock of every transaction that decides about an order.
 */
export async function lockQueues(conn: Conn, refs: readonly OrderRef[]): Promise<Map<string, LockedQueue>> {
  const sorted = [...refs].sort(byOrderId);
  const ids = sorted.map((r) => r.orderId);
  // The upsert takes each row's exclusive lock whether it inserts or not; no check-then-insert.
  await conn.query(
    'INSERT INTO order_guards (order_id, merchant_id) VALUES ? ON DUPLICATE KEY UPDATE order_id = order_id',
    [sorted.map((r) => [r.orderId, r.merchantId])],
  );
  const [rows] = await conn.query<GuardRow[]>(
    // Keys forced: on a small table the optimizer scans, and a locking scan waits for every row
    // it reads, other groups' orders included (as seen on merchant_seq).
    `SELECT g.order_id, g.open_entries, g.tail_pos, o.version, o.ticket_no
       FROM order_guards g FORCE INDEX (PRIMARY) LEFT JOIN orders o FORCE INDEX (PRIMARY) ON o.order_id = g.order_id
      WHERE g.order_id IN (?) ORDER BY g.order_id FOR UPDATE`,
    [ids],
  );
  const out = new Map<string, LockedQueue>();
  for (const r of rows) {
    out.set(r.order_id, {
      orderId: r.order_id,
      openEntries: Number(r.open_entries),
      tailPos: Number(r.tail_pos),
      storedVersion: Number(r.version ?? 0),
      ticketed: r.ticket_no !== null,
    });
  }
  for (const id of ids) if (!out.has(id)) throw new Error(`guard row of order ${id} vanished under its lock`);
  return out;
}

export async function lockQueue(conn: Conn, ref: OrderRef): Promise<LockedQueue> {
  return (await lockQueues(conn, [ref])).get(ref.orderId) as LockedQueue;
}

interface ProgressRow extends RowDataPacket {
  order_id: string;
  version: number | null;
  open_entries: number | null;
}

/**
 * A lock-free peek used only to skip work (a duplicate needs no order-service call; a blocked
 * order is parked without one). The decision itself is made again under the lock. One query for
 * many orders: the consumer peeks a whole group at once.
 */
export async function peekQueues(pool: Pool, orderIds: readonly string[]): Promise<Map<string, QueueState>> {
  const ids = [...new Set(orderIds)];
  // Either row may be missing (an order stored by other means has no guard yet): read both tables.
  const [rows] = await classified(() =>
    pool.query<ProgressRow[]>(
      `SELECT order_id, version, NULL AS open_entries FROM orders WHERE order_id IN (?)
       UNION ALL
       SELECT order_id, NULL AS version, open_entries FROM order_guards WHERE order_id IN (?)`,
      [ids, ids],
    ),
  );
  const out = new Map<string, QueueState>();
  for (const id of ids) out.set(id, { storedVersion: 0, openEntries: 0 });
  for (const r of rows) {
    const p = out.get(r.order_id) as QueueState;
    if (r.version !== null) p.storedVersion = Number(r.version);
    if (r.open_entries !== null) p.openEntries = Number(r.open_entries);
  }
  return out;
}

export async function peekQueue(pool: Pool, orderId: string): Promise<QueueState> {
  return (await peekQueues(pool, [orderId])).get(orderId) as QueueState;
}

export interface ParkRequest {
  event: OrderEvent;
  /** The record's value as received: replay re-decodes exactly what Kafka delivered. */
  raw: string;
  /** topic/partition@offset, for operators */
  source: string | null;
  plan: EntryPlan;
}

/**
 * Appends an event to the tail of its order's queue (the queue locked by lockQueues). Returns false
 * when this event is already in the queue (a redelivery).
 */
export async function park(conn: Conn, queue: LockedQueue, p: ParkRequest): Promise<boolean> {
  const pos = queue.tailPos + 1;
  const [res] = await conn.query<ResultSetHeader>(
    `INSERT INTO retry_entries (order_id, merchant_id, queue_pos, event_id, event_type, event_version,
                                occurred_at, raw_event, source, status, attempts, last_error, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE id = id`,
    [
      p.event.orderId, p.event.merchantId, pos, p.event.eventId, p.event.type, p.event.version,
      storableDate(new Date(p.event.occurredAt)), p.raw, p.source === null ? null : p.source.slice(0, 255), p.plan.status, p.plan.attempts,
      p.plan.error === null ? null : clipText(p.plan.error), p.plan.dueAt,
    ],
  );
  if (res.affectedRows !== 1) return false;
  await conn.query(
    `UPDATE order_guards
        SET blocked_since = IF(open_entries = 0, NOW(3), blocked_since), open_entries = open_entries + 1, tail_pos = ?
      WHERE order_id = ?`,
    [pos, p.event.orderId],
  );
  queue.openEntries += 1;
  queue.tailPos = pos;
  return true;
}

export async function getEntry(pool: Pool, id: number): Promise<QueueEntry | undefined> {
  const [rows] = await pool.query<(QueueEntry & RowDataPacket)[]>(`SELECT ${ENTRY_COLUMNS} FROM retry_entries WHERE id = ?`, [id]);
  return rows[0];
}

export interface LockedEntry {
  queue: LockedQueue;
  entry: QueueEntry;
  /** No open entry of the order is ahead of it (and it is open itself). */
  head: boolean;
}

/**
 * Locks an entry's queue, then the entry, and says whether it is its order's head: the one way
 * the retry job and the operator actions take hold of an entry. Undefined if the entry is gone.
 */
export async function lockEntry(conn: Conn, ref: Pick<QueueEntry, 'id' | 'order_id' | 'merchant_id'>): Promise<LockedEntry | undefined> {
  const queue = await lockQueue(conn, { orderId: ref.order_id, merchantId: ref.merchant_id });
  const [rows] = await conn.query<(QueueEntry & RowDataPacket)[]>(
    `SELECT ${ENTRY_COLUMNS} FROM retry_entries WHERE id = ? FOR UPDATE`,
    [ref.id],
  );
  const entry = rows[0];
  if (entry === undefined) return undefined;
  const [ahead] = await conn.query<RowDataPacket[]>(
    `SELECT 1 FROM retry_entries
      WHERE order_id = ? AND queue_pos < ? AND status IN ${OPEN_SQL} LIMIT 1`,
    [entry.order_id, entry.queue_pos],
  );
  return { queue, entry, head: isOpen(entry.status) && ahead.length === 0 };
}

/** Records a head's failed attempt as decided by afterFailedRead. */
export async function recordAttempt(conn: Conn, held: LockedEntry, plan: EntryPlan): Promise<void> {
  await conn.query<ResultSetHeader>(
    `UPDATE retry_entries
        SET attempts = ?, status = ?, next_attempt_at = ?, last_error = ?, updated_at = NOW(3)
      WHERE id = ?`,
    [plan.attempts, plan.status, plan.dueAt, plan.error === null ? null : clipText(plan.error), held.entry.id],
  );
}

/**
 * Closes a head (DONE or DISCARDED) and makes the next entry of its order the head, due at
 * `nextDueAt`. Returns the next entry, if any.
 */
export async function closeHead(
  conn: Conn,
  held: LockedEntry,
  status: 'DONE' | 'DISCARDED',
  nextDueAt: Date,
): Promise<QueueEntry | undefined> {
  const { entry } = held;
  if (!held.head) throw new Error(`entry ${entry.id} is not the head of order ${entry.order_id}`);
  await conn.query(
    'UPDATE retry_entries SET status = ?, next_attempt_at = NULL, updated_at = NOW(3) WHERE id = ?',
    [status, entry.id],
  );
  await conn.query(
    `UPDATE order_guards
        SET open_entries = open_entries - 1, blocked_since = IF(open_entries = 0, NULL, NOW(3))
      WHERE order_id = ?`,
    [entry.order_id],
  );
  held.queue.openEntries -= 1;
  // Entries complete strictly in queue order, so the next by position is the next PENDING one.
  // Keyed on (order_id, queue_pos) alone so the scan locks nothing of other orders.
  const [rows] = await conn.query<(QueueEntry & RowDataPacket)[]>(
    `SELECT ${ENTRY_COLUMNS} FROM retry_entries WHERE order_id = ? AND queue_pos > ?
      ORDER BY queue_pos LIMIT 1 FOR UPDATE`,
    [entry.order_id, entry.queue_pos],
  );
  const next = rows[0]?.status === 'PENDING' ? rows[0] : undefined;
  if (next !== undefined) {
    await conn.query('UPDATE retry_entries SET next_attempt_at = ? WHERE id = ?', [nextDueAt, next.id]);
  }
  return next;
}

/**
 * A FAILED head becomes PENDING with a fresh set of attempts, due at `dueAt` (the caller's lease:
 * it works the entry itself right after, so the retry job must not pick it up meanwhile), and will
 * be mailed again if it fails again.
 */
export async function reopenHead(conn: Conn, held: LockedEntry, dueAt: Date): Promise<void> {
  if (!held.head || held.entry.status !== 'FAILED') throw new Error(`entry ${held.entry.id} is not a FAILED head`);
  await conn.query<ResultSetHeader>(
    `UPDATE retry_entries
        SET status = ${sqlStatus('PENDING')}, attempts = 0, next_attempt_at = ?, mailed_at = NULL, updated_at = NOW(3)
      WHERE id = ?`,
    [dueAt, held.entry.id],
  );
}

/**
 * Claims up to `limit` due heads by pushing their due time out by the lease: a second instance
 * running the job at the same moment skips the locked rows and then no longer sees them as due.
 * If this instance dies, the entries become due again when the lease runs out. `dueBy` bounds
 * which entries count as due; a run passes its start time so that entries it rescheduled itself
 * (a short backoff, an outage deferral) wait for the next run instead of keeping it going forever.
 */
export async function claimDueHeads(pool: Pool, limit: number, now: Date, leaseMs: number, dueBy: Date = now): Promise<QueueEntry[]> {
  return inTx(pool, async (conn) => {
    const [rows] = await conn.query<(QueueEntry & RowDataPacket)[]>(
      `SELECT ${ENTRY_COLUMNS} FROM retry_entries
        WHERE status = ${sqlStatus('PENDING')} AND next_attempt_at <= ?
        ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED`,
      [dueBy, limit],
    );
    if (rows.length > 0) {
      await conn.query('UPDATE retry_entries SET next_attempt_at = ? WHERE id IN (?)', [
        new Date(now.getTime() + leaseMs),
        rows.map((r) => r.id),
      ]);
    }
    return rows;
  });
}

/**
 * For the archive job: locks the queues of orders about to be moved and returns those that are
 * blocked (open entries), which must stay. Orders without a guard row have no queue at all.
 */
export async function lockBlocked(conn: Conn, orderIds: readonly string[]): Promise<Set<string>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT order_id, open_entries FROM order_guards WHERE order_id IN (?) ORDER BY order_id FOR UPDATE',
    [orderIds],
  );
  return new Set(rows.filter((g) => Number(g.open_entries) > 0).map((g) => String(g.order_id)));
}

/**
 * For the archive job: drops the queues of orders being moved (their closed entries were copied to
 * the archive). The entries go with the guard: a new guard starts queue positions at 1 again, which
 * would collide with an old entry's (order_id, queue_pos) if it stayed behind.
 */
export async function dropClosedQueues(conn: Conn, orderIds: readonly string[]): Promise<{ entries: number; guards: number }> {
  const [e] = await conn.query<ResultSetHeader>(
    `DELETE FROM retry_entries WHERE order_id IN (?) AND status IN ${CLOSED_SQL}`,
    [orderIds],
  );
  const [g] = await conn.query<ResultSetHeader>('DELETE FROM order_guards WHERE order_id IN (?) AND open_entries = 0', [orderIds]);
  return { entries: e.affectedRows, guards: g.affectedRows };
}

// Statements of the operator API on the retry table.
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../db/pool';
import type { QueueEntry } from '../order-queue/sql';
import { IS_HEAD_SQL, isOpen, OPEN_SQL, WAITING_BEHIND_SQL, type EntryStatus } from '../order-queue/states';

/** One entry as the API shows it (contract fields first, then extras). */
export interface EntryView {
  id: number;
  orderId: string;
  eventId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  merchantId: string;
  eventType: string;
  eventVersion: number;
  queuePos: number;
  /** PENDING entries of the same order queued behind this one. */
  waitingBehind: number;
  /** No PENDING or FAILED entry of the order is ahead of it. */
  head: boolean;
  source: string | null;
  createdAt: string;
  updatedAt: string;
  mailedAt: string | null;
}

/** The retry job's entry columns, plus what operators see. */
interface ViewRow extends QueueEntry, RowDataPacket {
  last_error: string | null;
  next_attempt_at: Date | null;
  source: string | null;
  created_at: Date;
  updated_at: Date;
  mailed_at: Date | null;
  waiting: number;
  is_head: number;
}

// Both subqueries are index lookups on retry_entries_order_pos (order_id, queue_pos); which entry is
// the head, and what waits behind it, is the queue's rule (src/order-queue/states.ts).
const VIEW_SELECT = `
  SELECT r.id, r.order_id, r.merchant_id, r.queue_pos, r.event_id, r.event_type, r.event_version,
         r.status, r.attempts, r.last_error, r.next_attempt_at, r.source, r.created_at, r.updated_at,
         r.mailed_at,
         ${WAITING_BEHIND_SQL('r')} AS waiting,
         ${IS_HEAD_SQL('r')} AS is_head
    FROM retry_entries r`;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function toView(r: ViewRow): EntryView {
  return {
    id: Number(r.id), orderId: r.order_id, eventId: r.event_id, status: r.status,
    attempts: Number(r.attempts), lastError: r.last_error, nextAttemptAt: iso(r.next_attempt_at),
    merchantId: r.merchant_id, eventType: r.event_type, eventVersion: Number(r.event_version),
    queuePos: Number(r.queue_pos), waitingBehind: Number(r.waiting),
    head: Number(r.is_head) === 1 && isOpen(r.status),
    source: r.source, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    mailedAt: iso(r.mailed_at),
  };
}

export interface ListFilter {
  statuses: readonly EntryStatus[];
  afterId: number;
  limit: number;
  orderId?: string;
  merchantId?: string;
}

export async function listEntries(pool: Pool, f: ListFilter): Promise<EntryView[]> {
  const where = ['r.status IN (?)', 'r.id > ?'];
  const params: unknown[] = [f.statuses, f.afterId];
  if (f.orderId !== undefined) {
    where.push('r.order_id = ?');
    params.push(f.orderId);
  }
  if (f.merchantId !== undefined) {
    where.push('r.merchant_id = ?');
    params.push(f.merchantId);
  }
  params.push(f.limit);
  const [rows] = await pool.query<ViewRow[]>(`${VIEW_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT ?`, params);
  return rows.map(toView);
}

export async function viewEntry(db: Pool | Conn, id: number): Promise<EntryView | undefined> {
  const [rows] = await db.query<ViewRow[]>(`${VIEW_SELECT} WHERE r.id = ?`, [id]);
  const r = rows[0];
  return r === undefined ? undefined : toView(r);
}

/**
 * The open entries of an order queued behind position `queuePos`, oldest first: what waits for
 * the entry at that position (GET /api/retries/{id}). Bounded: a queue this long is shown in part.
 */
export async function entriesBehind(pool: Pool, orderId: string, queuePos: number, limit: number): Promise<EntryView[]> {
  const [rows] = await pool.query<ViewRow[]>(
    `${VIEW_SELECT} WHERE r.order_id = ? AND r.queue_pos > ? AND r.status IN ${OPEN_SQL} ORDER BY r.queue_pos LIMIT ?`,
    [orderId, queuePos, limit],
  );
  return rows.map(toView);
}

// Statements of the failure digest. FAILED entries not yet mailed are one range of the
// retry_entries_mail (status, mailed_at) index.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import { sqlStatus, WAITING_BEHIND_SQL } from '../order-queue/states';

export interface Unmailed {
  /** The entries this digest covers (oldest first). */
  ids: number[];
  /** Database time of the read; an entry changed after it (replayed, failed again) is not covered. */
  snapshot: Date;
}

/**
 * FAILED entries not mailed yet, by id: the digest marks exactly these afterwards (an entry that
 * fails while the mail is being sent is not among them, and goes out with the next digest).
 */
export async function selectUnmailed(conn: Conn, cap: number): Promise<Unmailed | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT id, NOW(3) AS snapshot FROM retry_entries
      WHERE status = ${sqlStatus('FAILED')} AND mailed_at IS NULL ORDER BY id LIMIT ?`,
    [cap],
  );
  const first = rows[0];
  if (first === undefined) return undefined;
  return { ids: rows.map((r) => Number(r.id)), snapshot: first.snapshot as Date };
}

export interface FailedEntry {
  id: number;
  orderId: string;
  merchantId: string;
  eventId: string;
  eventType: string;
  eventVersion: number;
  attempts: number;
  lastError: string | null;
  /** PENDING entries of the same order queued behind it: blocked until someone decides. */
  waitingBehind: number;
  failedAt: Date;
}

interface FailedRow extends RowDataPacket {
  id: number;
  order_id: string;
  merchant_id: string;
  event_id: string;
  event_type: string;
  event_version: number;
  attempts: number;
  last_error: string | null;
  waiting: number;
  updated_at: Date;
}

export async function describeEntries(conn: Conn, ids: readonly number[]): Promise<FailedEntry[]> {
  const [rows] = await conn.query<FailedRow[]>(
    `SELECT r.id, r.order_id, r.merchant_id, r.event_id, r.event_type, r.event_version, r.attempts,
            r.last_error, r.updated_at, ${WAITING_BEHIND_SQL('r')} AS waiting
       FROM retry_entries r
      WHERE r.id IN (?)
      ORDER BY r.id`,
    [ids],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    orderId: r.order_id,
    merchantId: r.merchant_id,
    eventId: r.event_id,
    eventType: r.event_type,
    eventVersion: Number(r.event_version),
    attempts: Number(r.attempts),
    lastError: r.last_error,
    waitingBehind: Number(r.waiting),
    failedAt: r.updated_at,
  }));
}

/** Marks what the sent digest covered; returns how many rows that was. */
export async function markMailed(conn: Conn, u: Unmailed, mailedAt: Date): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(
    `UPDATE retry_entries SET mailed_at = ?
      WHERE id IN (?) AND status = ${sqlStatus('FAILED')} AND mailed_at IS NULL AND updated_at <= ?`,
    [mailedAt, u.ids, u.snapshot],
  );
  return res.affectedRows;
}

// Statements of the retry job. Only a queue head has next_attempt_at set, so "due" is one index
// range scan (retry_entries_due) and never looks at entries parked behind a head.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../db/pool';
import { inTx } from '../db/pool';

export interface RetryEntry {
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

/**
 * Claims up to `limit` due heads by pushing their due time out by the lease: a second instance
 * running the job at the same moment skips the locked rows and then no longer sees them as due.
 * If this instance dies, the entries become due again when the lease runs out.
 * `dueBy` (default `now`) bounds which entries count as due; a run passes its start time so that
 * entries it rescheduled itself (a short backoff, an outage deferral) wait for the next run
 * instead of keeping the run going forever.
 */
export async function claimDue(pool: Pool, limit: number, now: Date, leaseMs: number, dueBy: Date = now): Promise<RetryEntry[]> {
  return inTx(pool, async (conn) => {
    const [rows] = await conn.query<(RetryEntry & RowDataPacket)[]>(
      `SELECT ${ENTRY_COLUMNS} FROM retry_entries
        WHERE status = 'PENDING' AND next_attempt_at <= ?
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

/** The entry, locked, if it is still PENDING and the head of its order's queue. */
export async function lockHead(conn: Conn, id: number): Promise<RetryEntry | undefined> {
  const [rows] = await conn.query<(RetryEntry & RowDataPacket)[]>(
    `SELECT ${ENTRY_COLUMNS} FROM retry_entries WHERE id = ? FOR UPDATE`,
    [id],
  );
  const entry = rows[0];
  if (entry === undefined || entry.status !== 'PENDING') return undefined;
  const [ahead] = await conn.query<RowDataPacket[]>(
    `SELECT 1 FROM retry_entries
      WHERE order_id = ? AND queue_pos < ? AND status IN ('PENDING', 'FAILED') LIMIT 1`,
    [entry.order_id, entry.queue_pos],
  );
  return ahead.length === 0 ? entry : undefined;
}

/**
 * Closes an entry (DONE or DISCARDED) and makes the next entry of its order the head, due at
 * `nextDueAt`. Returns the next entry, if any. Runs with the order's guard locked.
 */
export async function closeAndRelease(
  conn: Conn,
  entry: RetryEntry,
  status: 'DONE' | 'DISCARDED',
  nextDueAt: Date,
  note: string | null,
): Promise<RetryEntry | undefined> {
  await conn.query(
    `UPDATE retry_entries
        SET status = ?, next_attempt_at = NULL, last_error = COALESCE(?, last_error), updated_at = NOW(3)
      WHERE id = ?`,
    [status, note, entry.id],
  );
  await conn.query(
    `UPDATE order_guards
        SET pending = pending - 1, blocked_since = IF(pending = 0, NULL, NOW(3))
      WHERE order_id = ?`,
    [entry.order_id],
  );
  // Entries complete strictly in queue order, so the next by position is the next PENDING one.
  // Keyed on (order_id, queue_pos) alone so the scan locks nothing of other orders.
  const [rows] = await conn.query<(RetryEntry & RowDataPacket)[]>(
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

export async function getEntry(pool: Pool, id: number): Promise<RetryEntry | undefined> {
  const [rows] = await pool.query<(RetryEntry & RowDataPacket)[]>(
    `SELECT ${ENTRY_COLUMNS} FROM retry_entries WHERE id = ?`,
    [id],
  );
  return rows[0];
}

export async function recordFailure(
  conn: Conn,
  id: number,
  f: { attempts: number; failed: boolean; nextAttemptAt: Date | null; error: string },
): Promise<void> {
  await conn.query<ResultSetHeader>(
    `UPDATE retry_entries
        SET attempts = ?, status = ?, next_attempt_at = ?, last_error = ?, updated_at = NOW(3)
      WHERE id = ?`,
    [f.attempts, f.failed ? 'FAILED' : 'PENDING', f.nextAttemptAt, f.error.slice(0, 65_000), id],
  );
}

// Named rows of job state (migrations: job_state). A job that must run on one instance at a time
// locks its row for one short unit of work: the row is both the mutex between instances and the
// state it guards (last digest time, outage notices), so they can never disagree. The lock dies
// with the connection, so a crashed instance never leaves it held.
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../db/pool';

/**
 * Creates the row if missing. Reads first: an INSERT IGNORE on an existing row waits for that
 * row's lock, which another instance may be holding for the length of an SMTP send.
 */
export async function ensureJobState(pool: Pool, name: string, initial: string): Promise<void> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 FROM job_state WHERE name = ?', [name]);
  if (rows.length > 0) return;
  await pool.query('INSERT IGNORE INTO job_state (name, value) VALUES (?, ?)', [name, initial]);
}

/** The row's value without a lock (a reader that only looks), or undefined if missing. */
export async function readJobState(pool: Pool, name: string): Promise<string | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT value FROM job_state WHERE name = ?', [name]);
  const row = rows[0];
  return row === undefined ? undefined : String(row.value);
}

/**
 * Locks the row and returns its value. 'skip' returns undefined when another transaction holds
 * it (that instance is doing the job right now); 'wait' queues behind it.
 */
export async function lockJobState(conn: Conn, name: string, mode: 'skip' | 'wait'): Promise<string | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT value FROM job_state WHERE name = ? FOR UPDATE${mode === 'skip' ? ' SKIP LOCKED' : ''}`,
    [name],
  );
  const row = rows[0];
  return row === undefined ? undefined : String(row.value);
}

export async function saveJobState(conn: Conn | Pool, name: string, value: string): Promise<void> {
  await conn.query(
    `INSERT INTO job_state (name, value, updated_at) VALUES (?, ?, NOW(3))
     ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)`,
    [name, value],
  );
}

/** JSON of a job_state value, or undefined when it is not an object (then the job starts over). */
export function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

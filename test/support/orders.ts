// Reads of what the KDS stored, for assertions.
import type { RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../../src/db/pool';

export async function orderRow(pool: Pool, orderId: string): Promise<{ status: string; version: number } | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT status, version FROM orders WHERE order_id = ?', [orderId]);
  const r = rows[0];
  return r === undefined ? undefined : { status: String(r.status), version: Number(r.version) };
}

export async function retryEntries(pool: Pool, orderId: string): Promise<{ id: number; status: string; attempts: number; eventVersion: number; queuePos: number }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT id, status, attempts, event_version, queue_pos FROM retry_entries WHERE order_id = ? ORDER BY queue_pos',
    [orderId],
  );
  return rows.map((r) => ({
    id: Number(r.id), status: String(r.status), attempts: Number(r.attempts),
    eventVersion: Number(r.event_version), queuePos: Number(r.queue_pos),
  }));
}

/** Versions of the order as logged for screens, in seq order: one entry per applied change. */
export async function loggedVersions(pool: Pool, orderId: string): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT payload FROM change_log WHERE order_id = ? AND kind = 'order' ORDER BY merchant_id, seq",
    [orderId],
  );
  return rows.map((r) => Number((JSON.parse(String(r.payload)) as { version: number }).version));
}

export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

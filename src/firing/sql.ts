// Statements on scheduled_fires (migration 090, design note 10) and on the hold/fire kitchen
// columns of dishes. One function per query.
import type { RowDataPacket } from 'mysql2/promise';
import type { SqlStatement } from '../db/batch';
import type { Conn } from '../db/pool';
import type { Pool } from '../db/pool';

export interface ScheduledFireRow {
  itemId: string;
  merchantId: string;
  orderId: string;
  dueAt: Date;
}

/** A fire scheduled again for the same dish replaces the earlier one (null: nothing to schedule). */
export function scheduledFiresStatement(rows: readonly ScheduledFireRow[]): SqlStatement | null {
  if (rows.length === 0) return null;
  return {
    sql: `INSERT INTO scheduled_fires (item_id, merchant_id, order_id, due_at) VALUES ?
     ON DUPLICATE KEY UPDATE due_at = VALUES(due_at)`,
    values: [rows.map((r) => [r.itemId, r.merchantId, r.orderId, r.dueAt])],
  };
}

export async function upsertScheduledFires(conn: Conn, rows: readonly ScheduledFireRow[]): Promise<void> {
  const statement = scheduledFiresStatement(rows);
  if (statement !== null) await conn.query(statement.sql, statement.values);
}

export async function deleteScheduledFires(conn: Conn, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await conn.query('DELETE FROM scheduled_fires WHERE item_id IN (?)', [itemIds]);
}

/** The dishes among these that have a fire scheduled. */
export async function selectScheduledOf(conn: Conn, itemIds: readonly string[]): Promise<Set<string>> {
  if (itemIds.length === 0) return new Set();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT item_id FROM scheduled_fires WHERE item_id IN (?)', [itemIds]);
  return new Set(rows.map((r) => String(r.item_id)));
}

/**
 * Due fires, locked; rows another instance holds are skipped (it is firing them), so instances
 * polling at once split the work and none waits. Oldest first, at most `limit`.
 */
export async function claimDueFires(conn: Conn, now: Date, limit: number): Promise<ScheduledFireRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT item_id, merchant_id, order_id, due_at FROM scheduled_fires
      WHERE due_at <= ? ORDER BY due_at, item_id LIMIT ? FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((r) => ({ itemId: String(r.item_id), merchantId: String(r.merchant_id), orderId: String(r.order_id), dueAt: r.due_at as Date }));
}

/** Fires due more than `graceS` ago and not yet fired (the overdue gauge; cluster-wide, from MySQL). */
export async function countOverdueFires(pool: Pool, graceS: number): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM scheduled_fires WHERE due_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND',
    [graceS],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Sets the hold/fire columns of one dish (kitchen columns; the caller holds its row lock). */
export async function updateFiring(conn: Conn, itemId: string, f: { held: boolean; firedAt: Date | null; dueAt: Date | null }, at: Date): Promise<void> {
  await conn.query(
    'UPDATE dishes SET held = ?, fired_at = ?, due_at = ?, updated_at = ? WHERE item_id = ?',
    [f.held ? 1 : 0, f.firedAt, f.dueAt, at, itemId],
  );
}

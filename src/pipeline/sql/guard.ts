// The per-order guard row (design note 1): both the consumer and the retry job lock it in the
// transaction that decides "apply" or "park", so the decision and its write are atomic.
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../../db/pool';

export interface Guard {
  orderId: string;
  pending: number;
  tailPos: number;
}

export async function lockGuard(conn: Conn, orderId: string, merchantId: string): Promise<Guard> {
  // The upsert takes the row's exclusive lock whether it inserts or not; no check-then-insert.
  await conn.query(
    'INSERT INTO order_guards (order_id, merchant_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE order_id = order_id',
    [orderId, merchantId],
  );
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT pending, tail_pos FROM order_guards WHERE order_id = ? FOR UPDATE',
    [orderId],
  );
  const row = rows[0];
  return { orderId, pending: Number(row?.pending ?? 0), tailPos: Number(row?.tail_pos ?? 0) };
}

export interface OrderProgress {
  /** 0 when the order is unknown */
  storedVersion: number;
  pending: number;
}

/**
 * A lock-free peek used only to skip work (a duplicate needs no order-service call; an order with
 * pending entries is parked without one). The decision itself is re-made under the guard lock.
 */
export async function peekProgress(pool: Pool, orderId: string): Promise<OrderProgress> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT (SELECT version FROM orders WHERE order_id = ?) AS version,
            (SELECT pending FROM order_guards WHERE order_id = ?) AS pending`,
    [orderId, orderId],
  );
  return { storedVersion: Number(rows[0]?.version ?? 0), pending: Number(rows[0]?.pending ?? 0) };
}

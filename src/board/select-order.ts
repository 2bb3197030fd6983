import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { OrderRow } from './views';

/** One order by id, or undefined. Works on the pool or on a connection inside a transaction. */
export async function selectOrder(db: Connection, orderId: string): Promise<OrderRow | undefined> {
  const [rows] = await db.query<(OrderRow & RowDataPacket)[]>(
    `SELECT order_id, merchant_id, table_no, status, version, placed_at, ticket_no, rush
       FROM orders
      WHERE order_id = ?`,
    [orderId],
  );
  return rows[0];
}

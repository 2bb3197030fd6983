import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { OrderRow } from './views';

/**
 * Orders of a merchant placed within the last `boardDays` days that still have a WAITING or READY
 * dish (at `station`, when given), oldest first. The inner query walks index
 * dishes_board (merchant_id, state, placed_at): two short ranges, one per open state, so the cost
 * follows the open dishes, not the merchant's history.
 */
export async function selectBoardOrders(
  db: Connection,
  merchantId: string,
  boardDays: number,
  station?: string,
): Promise<OrderRow[]> {
  const [rows] = await db.query<(OrderRow & RowDataPacket)[]>(
    `SELECT o.order_id, o.merchant_id, o.table_no, o.status, o.version, o.placed_at, o.ticket_no
       FROM orders o
      WHERE o.order_id IN (
              SELECT d.order_id
                FROM dishes d
               WHERE d.merchant_id = ?
                 AND d.state IN ('WAITING', 'READY')
                 AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
                 AND (? IS NULL OR d.station = ?))
      ORDER BY o.placed_at, o.order_id`,
    [merchantId, boardDays, station ?? null, station ?? null],
  );
  return rows;
}

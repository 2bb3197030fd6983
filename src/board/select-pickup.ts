import type { Connection, RowDataPacket } from 'mysql2/promise';
import { PICKUP_HOURS, ticketOf, type PickupOrder } from './pickup';

interface PickupRow extends RowDataPacket {
  order_id: string;
  ticket_no?: number | null;
  waiting: string | number;
  ready: string | number;
  served: string | number;
  last_ready_at: Date | null;
  channel: string;
  platform: string | null;
  pickup_at: Date | null;
}

/**
 * Take-away and delivery orders (channel TAKEAWAY or DELIVERY, table or not) of the last PICKUP_HOURS with their dish counts by state, in order of
 * arrival. `o.*` rather than a column list: `ticket_no` is added by the stats feature's migration,
 * and the board reads it when it is there (ticketOf falls back to a short label before).
 */
export async function selectPickupOrders(db: Connection, merchantId: string): Promise<PickupOrder[]> {
  const [rows] = await db.query<PickupRow[]>(
    `SELECT o.*, a.waiting, a.ready, a.served, a.last_ready_at
       FROM orders o
       JOIN (SELECT order_id,
                    SUM(CASE WHEN state = 'WAITING' THEN 1 ELSE 0 END) AS waiting,
                    SUM(CASE WHEN state = 'READY' THEN 1 ELSE 0 END) AS ready,
                    SUM(CASE WHEN state = 'SERVED' THEN 1 ELSE 0 END) AS served,
                    MAX(ready_at) AS last_ready_at
               FROM dishes
              WHERE merchant_id = ?
                AND state IN ('WAITING', 'READY', 'SERVED')
                AND placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? HOUR
              GROUP BY order_id) a ON a.order_id = o.order_id
      WHERE o.channel IN ('TAKEAWAY', 'DELIVERY')
        AND o.status <> 'CANCELLED'
      ORDER BY o.placed_at, o.order_id`,
    [merchantId, PICKUP_HOURS],
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    ticket: ticketOf(r.order_id, r.ticket_no),
    waiting: Number(r.waiting),
    ready: Number(r.ready),
    served: Number(r.served),
    lastReadyAt: r.last_ready_at === null ? null : new Date(r.last_ready_at),
    channel: r.channel,
    platform: r.platform,
    pickupAt: r.pickup_at === null ? null : new Date(r.pickup_at),
  }));
}

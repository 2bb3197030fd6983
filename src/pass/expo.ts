// The pass (打荷, contract "Kitchen workflows"): every order with a fired dish not yet SERVED or
// CANCELLED, rush first then oldest first, with ALL its dishes of every station and how complete it
// is. `ready`/`total` count dish rows: the fired, non-cancelled ones, and of those the READY or
// SERVED; `complete` when they are equal.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { DishView } from '../views/dish';
import { readOrdersWithDishes } from '../board/read';
import { COMPLETED_GRACE_MINUTES } from '../board/select-board-orders';
import { orderColumns, type OrderDetail, type OrderRow } from '../views/order';

export interface ExpoTicket extends OrderDetail {
  ready: number;
  total: number;
  complete: boolean;
}

/** Pure: the ticket's completeness from its dishes. */
export function completeness(dishes: readonly DishView[]): { ready: number; total: number; complete: boolean } {
  const fired = dishes.filter((d) => !d.held && d.state !== 'CANCELLED');
  const ready = fired.filter((d) => d.state === 'READY' || d.state === 'SERVED').length;
  return { ready, total: fired.length, complete: fired.length > 0 && ready === fired.length };
}

async function selectExpoOrders(db: Connection, merchantId: string, boardDays: number): Promise<OrderRow[]> {
  const [rows] = await db.query<(OrderRow & RowDataPacket)[]>(
    `SELECT ${orderColumns('o')}
       FROM orders o
      WHERE o.order_id IN (
              SELECT d.order_id FROM dishes d
               WHERE d.merchant_id = ? AND d.state IN ('WAITING', 'READY') AND d.held = 0
                 AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY)
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)
      ORDER BY o.rush DESC, o.placed_at, o.order_id`,
    [merchantId, boardDays, COMPLETED_GRACE_MINUTES],
  );
  return rows;
}

async function selectHeldOrders(db: Connection, merchantId: string, boardDays: number): Promise<OrderRow[]> {
  const [rows] = await db.query<(OrderRow & RowDataPacket)[]>(
    `SELECT ${orderColumns('o')}
       FROM orders o
      WHERE o.order_id IN (
              SELECT d.order_id FROM dishes d
               WHERE d.merchant_id = ? AND d.state = 'WAITING' AND d.held = 1
                 AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY)
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)
      ORDER BY o.placed_at, o.order_id`,
    [merchantId, boardDays, COMPLETED_GRACE_MINUTES],
  );
  return rows;
}

/**
 * Orders with a held dish, all their dishes (docs/screens.md, an addition to the contract): the
 * board leaves out an order whose every dish is held, and the waiter must still find it to fire it.
 */
export async function readHeld(db: Connection, merchantId: string, boardDays: number): Promise<OrderDetail[]> {
  return readOrdersWithDishes(db, await selectHeldOrders(db, merchantId, boardDays));
}

export async function readExpo(db: Connection, merchantId: string, boardDays: number): Promise<ExpoTicket[]> {
  const orders = await readOrdersWithDishes(db, await selectExpoOrders(db, merchantId, boardDays));
  return orders.map((o) => ({ ...o, ...completeness(o.dishes) }));
}

// Board and order reads composed from the single-query functions beside this file, mapped by the
// one mapper of each row (src/views/): the same values the unit of work pushes.
import type { Connection } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import { dishView, type DishRow, type DishView } from '../views/dish';
import { orderDetail, selectOrderRows, type OrderDetail, type OrderRow } from '../views/order';
import { selectBoardSnapshot } from './select-board-snapshot';
import { selectDishesOfOrders } from './select-dishes';
import { selectMerchantSeq } from './select-seq';

async function withDishes(db: Connection, orders: readonly OrderRow[], station?: string): Promise<OrderDetail[]> {
  return attachDishes(orders, await selectDishesOfOrders(db, orders.map((o) => o.order_id), station));
}

function attachDishes(orders: readonly OrderRow[], dishes: readonly DishRow[]): OrderDetail[] {
  const byOrder = new Map<string, DishView[]>();
  for (const d of dishes) {
    const list = byOrder.get(d.order_id) ?? [];
    list.push(dishView(d));
    byOrder.set(d.order_id, list);
  }
  return orders.map((o) => orderDetail(o, byOrder.get(o.order_id) ?? []));
}

/** Orders with all their dishes (every station), in the given order. */
export function readOrdersWithDishes(db: Connection, orders: readonly OrderRow[]): Promise<OrderDetail[]> {
  return withDishes(db, orders);
}

export async function readOrder(db: Connection, orderId: string): Promise<OrderDetail | undefined> {
  const [row] = await selectOrderRows(db, [orderId]);
  if (row === undefined) return undefined;
  const [detail] = await withDishes(db, [row]);
  return detail;
}

/**
 * The board with the merchant's seq, read in one consistent snapshot as readConsistent would, in one statement
 * (./select-board-snapshot.ts): what a screen's snapshot and GET …/board read.
 */
export async function readBoardWithSeq(
  pool: Pool,
  merchantId: string,
  boardDays: number,
  station?: string,
): Promise<{ seq: number; value: OrderDetail[] }> {
  const rows = await selectBoardSnapshot(pool, merchantId, boardDays, station);
  return { seq: rows.seq, value: attachDishes(rows.orders, rows.dishes) };
}

/**
 * Runs `read` and reads the merchant's seq in one consistent snapshot, so `seq` is exactly the
 * last change the result includes: a screen that resumes from it misses nothing and sees
 * nothing twice. Pool sessions run READ COMMITTED (each statement its own snapshot), hence the
 * dedicated REPEATABLE READ transaction with a snapshot taken at its start.
 */
export async function readConsistent<T>(
  pool: Pool,
  merchantId: string,
  read: (db: Connection) => Promise<T>,
): Promise<{ seq: number; value: T }> {
  const conn = await pool.getConnection();
  try {
    await conn.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    try {
      const seq = await selectMerchantSeq(conn, merchantId);
      const value = await read(conn);
      return { seq, value };
    } finally {
      await conn.query('COMMIT');
    }
  } finally {
    conn.release();
  }
}

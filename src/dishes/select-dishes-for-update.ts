import type { RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import { DISH_COLUMNS, dishView, selectDishRows, type DishRow, type DishView } from '../views/dish';

/** An order's dishes, locked in item-id order (the lock order every dish writer uses). */
export async function selectOrderDishesForUpdate(conn: Conn, orderId: string): Promise<DishRow[]> {
  const [rows] = await conn.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS} FROM dishes WHERE order_id = ? ORDER BY item_id FOR UPDATE`,
    [orderId],
  );
  return rows;
}

/** Dishes a writer just changed (it holds their locks), as screens are told them, in the given order. */
export async function readDishes(conn: Conn, itemIds: readonly string[]): Promise<DishView[]> {
  const byId = new Map((await selectDishRows(conn, itemIds)).map((r) => [r.item_id, dishView(r)]));
  return itemIds.flatMap((id) => byId.get(id) ?? []);
}

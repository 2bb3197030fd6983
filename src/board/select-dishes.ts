import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DISH_COLUMNS, type DishRow } from '../views/dish';

/**
 * Dishes of the given orders (index dishes_order), optionally only one station's, in a stable
 * order: by order, then by item id (the schema keeps no menu position).
 */
export async function selectDishesOfOrders(
  db: Connection,
  orderIds: readonly string[],
  station?: string,
): Promise<DishRow[]> {
  if (orderIds.length === 0) return [];
  const [rows] = await db.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS}
       FROM dishes
      WHERE order_id IN (?)
        AND (? IS NULL OR station = ?)
      ORDER BY order_id, item_id`,
    [orderIds, station ?? null, station ?? null],
  );
  return rows;
}

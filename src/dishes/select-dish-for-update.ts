import type { RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import { DISH_COLUMNS, type DishRow } from '../views/dish';

/**
 * Locks one dish row until the transaction ends. Two screens marking the same dish queue here,
 * so the second one decides on the first one's committed result.
 */
export async function selectDishForUpdate(conn: Conn, itemId: string): Promise<DishRow | undefined> {
  const [rows] = await conn.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS} FROM dishes WHERE item_id = ? FOR UPDATE`,
    [itemId],
  );
  return rows[0];
}

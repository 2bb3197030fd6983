import type { RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import { DISH_COLUMN_NAMES, SHORT_NAME_SQL, type DishRow } from '../views/dish';
import { ORDER_COLUMN_NAMES, type OrderRow } from '../views/order';
import { boardOrdersWhere } from './select-board-orders';

export interface BoardSnapshotRows {
  seq: number;
  orders: OrderRow[];
  dishes: DishRow[];
}

const SELECTED = [
  ...ORDER_COLUMN_NAMES.map((c) => `o.${c} AS o_${c}`),
  ...DISH_COLUMN_NAMES.map((c) => `dishes.${c} AS d_${c}`),
  `${SHORT_NAME_SQL} AS d_short_name`,
].join(', ');

/**
 * The board (the orders of boardOrdersWhere, rush first, then oldest first, with their dishes, `station`'s only when
 * given) and the merchant's seq in ONE statement, on any pooled connection. A statement reads one
 * snapshot even in the pool's READ COMMITTED, so seq is exactly the last change the rows include,
 * as readConsistent guarantees with its transaction: one round trip to MySQL instead of six (SET,
 * START, seq, orders, dishes, COMMIT), which is most of a snapshot's cost in a reconnect storm.
 * The one-row `k` keeps the seq when the board is empty; the LIMIT keeps the board a derived table
 * of its own (MySQL and MariaDB merge it otherwise, and a semi-join may not sit in an outer
 * join's ON). Rows come in the board's order, each order's dishes by item id.
 */
export async function selectBoardSnapshot(
  pool: Pool,
  merchantId: string,
  boardDays: number,
  station?: string,
): Promise<BoardSnapshotRows> {
  const where = boardOrdersWhere(merchantId, boardDays, station);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ms.seq AS seq, b.*
       FROM (SELECT ? AS merchant_id) k
       LEFT JOIN merchant_seq ms ON ms.merchant_id = k.merchant_id
       LEFT JOIN (
              SELECT ${SELECTED}
                FROM orders o
                JOIN dishes ON dishes.order_id = o.order_id AND (? IS NULL OR dishes.station = ?)
               WHERE ${where.sql}
               LIMIT 18446744073709551615
            ) b ON 1 = 1
      ORDER BY b.o_rush DESC, b.o_placed_at, b.o_order_id, b.d_item_id`,
    [merchantId, station ?? null, station ?? null, ...where.params],
  );
  const orders: OrderRow[] = [];
  const dishes: DishRow[] = [];
  for (const r of rows) {
    if (r.o_order_id === null) continue;
    if (orders[orders.length - 1]?.order_id !== r.o_order_id) orders.push(unprefixed(r, 'o_') as unknown as OrderRow);
    dishes.push(unprefixed(r, 'd_') as unknown as DishRow);
  }
  return { seq: rows[0]?.seq == null ? 0 : Number(rows[0].seq), orders, dishes };
}

function unprefixed(r: RowDataPacket, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

// Bumping a ticket: every WAITING dish of an order (at one station, when given) becomes READY in one
// unit of work, one change each, so they get consecutive seqs and each is a serve call for waiters.
// Repeating it finds nothing WAITING and changes nothing.
import type { RowDataPacket } from 'mysql2/promise';
import type { UnitOfWork } from '../changes/unit-of-work';
import { readOrder } from '../board/read';
import type { Conn } from '../db/pool';
import { insertDishMarks, type Actor, type DishMark } from '../dishes/insert-dish-mark';
import { decideMark } from '../dishes/transitions';
import { updateDishState } from '../dishes/update-dish-state';
import { DISH_COLUMNS, type DishRow } from '../views/dish';
import type { OrderDetail } from '../views/order';

export type BumpResult =
  | { kind: 'ok'; order: OrderDetail; bumped: number }
  | { kind: 'not_found' }
  | { kind: 'forbidden' };

export interface BumpRequest {
  orderId: string;
  station?: string;
  actor: Actor;
  mayAccess: (merchantId: string) => boolean;
}

/** The order's dishes in item-id order (the lock order every dish writer uses), locked. */
async function selectOrderDishesForUpdate(conn: Conn, orderId: string): Promise<DishRow[]> {
  const [rows] = await conn.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS} FROM dishes WHERE order_id = ? ORDER BY item_id FOR UPDATE`,
    [orderId],
  );
  return rows;
}

export async function bumpOrder(work: UnitOfWork, req: BumpRequest): Promise<BumpResult> {
  return work.run(async (tx): Promise<BumpResult> => {
    const dishes = await selectOrderDishesForUpdate(tx.conn, req.orderId);
    const order = await readOrder(tx.conn, req.orderId);
    if (order === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(order.merchantId)) return { kind: 'forbidden' };

    const at = new Date();
    const marks: DishMark[] = [];
    for (const row of dishes) {
      if (req.station !== undefined && row.station !== req.station) continue;
      if (Number(row.held) === 1) continue; // held: not to be cooked yet (contract "Kitchen workflows")
      const d = decideMark(row.state, 'READY');
      if (d.kind !== 'apply') continue; // only WAITING moves; READY, SERVED, CANCELLED stay
      await updateDishState(tx.conn, row.item_id, 'READY', at);
      marks.push({
        merchantId: order.merchantId, orderId: order.orderId, itemId: row.item_id,
        action: 'READY', from: row.state, to: 'READY', actor: req.actor, at,
      });
    }
    await insertDishMarks(tx.conn, marks);
    tx.touchDishes('serve', marks.map((m) => m.itemId));

    const fresh = marks.length === 0 ? order : ((await readOrder(tx.conn, req.orderId)) ?? order);
    const shown = req.station === undefined ? fresh : { ...fresh, dishes: fresh.dishes.filter((x) => x.station === req.station) };
    return { kind: 'ok', order: shown, bumped: marks.length };
  });
}

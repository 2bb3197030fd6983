// Bumping a ticket: every WAITING dish of an order (at one station, when given) becomes READY in one
// unit of work, one change each, so they get consecutive seqs and each is a serve call for waiters.
// Repeating it finds nothing WAITING and changes nothing.
import type { RowDataPacket } from 'mysql2/promise';
import type { Change } from '../changes/append';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { OrderDetail } from '../board/views';
import { readOrder } from '../board/read';
import type { Conn } from '../db/pool';
import { DISH_COLUMNS, dishView, type DishRow } from '../db/rows';
import { insertDishMarks, type Actor } from '../dishes/insert-dish-mark';
import { decideMark } from '../dishes/transitions';
import { updateDishState } from '../dishes/update-dish-state';

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
    const changes: Change[] = [];
    for (const row of dishes) {
      if (req.station !== undefined && row.station !== req.station) continue;
      const d = decideMark(row.state, 'READY');
      if (d.kind !== 'apply') continue; // only WAITING moves; READY, SERVED, CANCELLED stay
      await updateDishState(tx.conn, row.item_id, 'READY', at);
      changes.push({ kind: 'dish', dish: dishView({ ...row, state: 'READY', updated_at: at }), from: row.state, serve: true });
    }
    await insertDishMarks(tx.conn, changes.flatMap((c) => (c.kind === 'dish' ? [{
      merchantId: order.merchantId, orderId: order.orderId, itemId: c.dish.itemId,
      action: 'READY' as const, from: 'WAITING', to: 'READY', actor: req.actor, at,
    }] : [])));
    tx.log(order.merchantId, changes);

    const fresh = changes.length === 0 ? order : ((await readOrder(tx.conn, req.orderId)) ?? order);
    const shown = req.station === undefined ? fresh : { ...fresh, dishes: fresh.dishes.filter((x) => x.station === req.station) };
    return { kind: 'ok', order: shown, bumped: changes.length };
  });
}

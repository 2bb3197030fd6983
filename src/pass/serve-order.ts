// Serving a whole ticket or course (contract "Kitchen workflows"): every READY dish of the order (of
// that course) becomes SERVED in one unit of work, one change each, recorded in dish_marks like a
// single serve. Repeating it finds nothing READY and changes nothing.
import type { UnitOfWork } from '../changes/unit-of-work';
import type { OrderDetail } from '../views/order';
import { readOrder } from '../board/read';
import { insertDishMarks, type Actor } from '../dishes/insert-dish-mark';
import { selectOrderDishesForUpdate } from '../dishes/select-dishes-for-update';
import { updateDishState } from '../dishes/update-dish-state';

export type ServeOrderResult = { kind: 'ok'; order: OrderDetail; served: number } | { kind: 'not_found' } | { kind: 'forbidden' };

export interface ServeOrderRequest {
  orderId: string;
  course?: number;
  actor: Actor;
  mayAccess: (merchantId: string) => boolean;
}

export async function serveOrder(work: UnitOfWork, req: ServeOrderRequest): Promise<ServeOrderResult> {
  return work.run(async (tx): Promise<ServeOrderResult> => {
    const dishes = await selectOrderDishesForUpdate(tx.conn, req.orderId);
    const order = await readOrder(tx.conn, req.orderId);
    if (order === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(order.merchantId)) return { kind: 'forbidden' };
    const at = new Date();
    const ready = dishes.filter((d) => d.state === 'READY' && (req.course === undefined || Number(d.course) === req.course));
    for (const d of ready) await updateDishState(tx.conn, d.item_id, 'SERVED', at);
    await insertDishMarks(tx.conn, ready.map((d) => ({
      merchantId: order.merchantId, orderId: order.orderId, itemId: d.item_id, action: 'SERVED' as const, from: 'READY', to: 'SERVED', actor: req.actor, at,
    })));
    tx.touchDishes('dish', ready.map((d) => d.item_id));
    const fresh = ready.length === 0 ? order : ((await readOrder(tx.conn, req.orderId)) ?? order);
    return { kind: 'ok', order: fresh, served: ready.length };
  });
}

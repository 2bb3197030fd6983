// Hold and fire (叫起/起菜, contract "Kitchen workflows"): a waiter holds an order's fired WAITING
// dishes (of one course), and a waiter, cook or manager fires its held ones. One unit of work each:
// the order's dishes are locked in item-id order, changed, read back and logged, one `dish` change
// each (touched, so the unit of work reads them back). Repeating either finds nothing to move.
//
// Holding also drops the fires scheduled by fire by prep time for those dishes (the course is held
// again, so they must not start by themselves). Firing leaves a dish whose fire is already
// scheduled as it is: it is on its way, starting when the rest of its course finishes with it, and
// a second tap of "fire" must not pull it forward.
import type { UnitOfWork, WorkTx } from '../changes/unit-of-work';
import { readOrder } from '../board/read';
import type { Conn } from '../db/pool';
import { selectOrderDishesForUpdate } from '../dishes/select-dishes-for-update';
import type { DishRow } from '../views/dish';
import type { OrderDetail } from '../views/order';
import { readPrepTargets } from '../menu/targets';
import { byCourse, planFire } from './fire-plan';
import { deleteScheduledFires, selectScheduledOf, updateFiring, upsertScheduledFires } from './sql';

export type FiringResult = { kind: 'ok'; order: OrderDetail; changed: number } | { kind: 'not_found' } | { kind: 'forbidden' };

export interface FiringRequest {
  orderId: string;
  course?: number;
  mayAccess: (merchantId: string) => boolean;
}

const inCourse = (d: DishRow, course: number | undefined): boolean => course === undefined || Number(d.course) === course;

/** Touches the changed dishes, and answers the order as stored. */
async function finish(tx: WorkTx, order: OrderDetail, changed: DishRow[]): Promise<FiringResult> {
  tx.touchDishes('dish', changed.map((d) => d.item_id));
  const fresh = changed.length === 0 ? order : ((await readOrder(tx.conn, order.orderId)) ?? order);
  return { kind: 'ok', order: fresh, changed: changed.length };
}

export async function holdOrder(work: UnitOfWork, req: FiringRequest): Promise<FiringResult> {
  return work.run(async (tx): Promise<FiringResult> => {
    const dishes = await selectOrderDishesForUpdate(tx.conn, req.orderId);
    const order = await readOrder(tx.conn, req.orderId);
    if (order === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(order.merchantId)) return { kind: 'forbidden' };
    const at = new Date();
    const mine = dishes.filter((d) => d.state === 'WAITING' && inCourse(d, req.course));
    await deleteScheduledFires(tx.conn, mine.filter((d) => Number(d.held) === 1).map((d) => d.item_id));
    const changed = mine.filter((d) => Number(d.held) === 0);
    for (const d of changed) await updateFiring(tx.conn, d.item_id, { held: true, firedAt: null, dueAt: null }, at);
    return finish(tx, order, changed);
  });
}

/**
 * Fires held dishes of an order at `at` (a waiter's or cook's tap): each course fired together,
 * by the merchant's fire-by-prep-time rule. Used by the fire call; runs inside the caller's unit.
 */
export async function fireDishes(conn: Conn, merchantId: string, orderId: string, held: readonly DishRow[], at: Date): Promise<DishRow[]> {
  const targets = (await readPrepTargets(conn, held.map((d) => ({ merchantId, dishId: d.dish_id }))))(merchantId);
  const fired: DishRow[] = [];
  for (const group of byCourse(held.map((d) => ({ ...d, course: Number(d.course) })))) {
    const decisions = planFire(group.map((d) => ({ itemId: d.item_id, prepSeconds: targets.prepSeconds(d.dish_id) })), at, targets.byPrepTime);
    for (const [i, dec] of decisions.entries()) {
      const d = group[i];
      if (d === undefined) continue;
      if (dec.kind === 'fire') {
        await updateFiring(conn, d.item_id, { held: false, firedAt: dec.firedAt, dueAt: dec.dueAt }, at);
        fired.push(d);
      } else {
        await upsertScheduledFires(conn, [{ itemId: d.item_id, merchantId, orderId, dueAt: dec.fireAt }]);
      }
    }
  }
  return fired;
}

export async function fireOrder(work: UnitOfWork, req: FiringRequest): Promise<FiringResult> {
  return work.run(async (tx): Promise<FiringResult> => {
    const dishes = await selectOrderDishesForUpdate(tx.conn, req.orderId);
    const order = await readOrder(tx.conn, req.orderId);
    if (order === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(order.merchantId)) return { kind: 'forbidden' };
    const held = dishes.filter((d) => d.state === 'WAITING' && Number(d.held) === 1 && inCourse(d, req.course));
    const scheduled = await selectScheduledOf(tx.conn, held.map((d) => d.item_id));
    const toFire = held.filter((d) => !scheduled.has(d.item_id));
    const fired = await fireDishes(tx.conn, order.merchantId, order.orderId, toFire, new Date());
    return finish(tx, order, fired);
  });
}

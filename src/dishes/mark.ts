// Marking a dish READY (cook) or SERVED (waiter): lock, decide with the pure transition table,
// write, and log the change in one unit of work, so a double tap from two screens makes exactly one
// transition and one change-log row, and both callers get the same dish back.
import type { UnitOfWork } from '../changes/unit-of-work';
import { dishView, readDish, type DishView } from '../views/dish';
import { insertDishMarks, type Actor } from './insert-dish-mark';
import { selectDishForUpdate } from './select-dish-for-update';
import { decideMark, type MarkTarget } from './transitions';
import { updateDishState } from './update-dish-state';

export type MarkResult =
  | { kind: 'ok'; dish: DishView; changed: boolean }
  | { kind: 'not_found' }
  | { kind: 'forbidden' }
  | { kind: 'conflict'; reason: string; dish: DishView };

export interface MarkDeps {
  work: UnitOfWork;
}

export interface MarkRequest {
  itemId: string;
  target: MarkTarget;
  /** Whether the caller may touch dishes of this merchant (checked under the row lock). */
  mayAccess: (merchantId: string) => boolean;
  /** Who marks; recorded in dish_marks with the transition (absent: a system mark, not recorded). */
  actor?: Actor;
}

export async function markDish(deps: MarkDeps, req: MarkRequest): Promise<MarkResult> {
  return deps.work.run(async (tx): Promise<MarkResult> => {
    const row = await selectDishForUpdate(tx.conn, req.itemId);
    if (row === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(row.merchant_id)) return { kind: 'forbidden' };
    const decision = decideMark(row.state, req.target);
    if (decision.kind === 'noop') return { kind: 'ok', dish: dishView(row), changed: false };
    if (decision.kind === 'conflict') return { kind: 'conflict', reason: decision.reason, dish: dishView(row) };

    const at = new Date();
    await updateDishState(tx.conn, row.item_id, decision.to, at);
    if (req.actor !== undefined) {
      await insertDishMarks(tx.conn, [{
        merchantId: row.merchant_id, orderId: row.order_id, itemId: row.item_id,
        action: decision.to, from: row.state, to: decision.to, actor: req.actor, at,
      }]);
    }
    tx.touchDishes(decision.to === 'READY' ? 'serve' : 'dish', [row.item_id]);
    return { kind: 'ok', dish: await readDish(tx.conn, row.item_id), changed: true };
  });
}

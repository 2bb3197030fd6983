// Marking a dish READY (cook) or SERVED (waiter): lock, decide with the pure transition table,
// write, and log the change, all in one transaction, so a double tap from two screens makes
// exactly one transition and one change-log row, and both callers get the same dish back.
import { appendChanges, type ChangeNotifier, type DishView } from '../changes/append';
import { inTx, type Pool } from '../db/pool';
import { dishView } from '../db/rows';
import { selectDishForUpdate } from './select-dish-for-update';
import { decideMark, type MarkTarget } from './transitions';
import { updateDishState } from './update-dish-state';

export type MarkResult =
  | { kind: 'ok'; dish: DishView; changed: boolean }
  | { kind: 'not_found' }
  | { kind: 'forbidden' }
  | { kind: 'conflict'; reason: string; dish: DishView };

export interface MarkDeps {
  pool: Pool;
  notifier: ChangeNotifier;
}

export interface MarkRequest {
  itemId: string;
  target: MarkTarget;
  /** Whether the caller may touch dishes of this merchant (checked under the row lock). */
  mayAccess: (merchantId: string) => boolean;
}

interface Outcome {
  result: MarkResult;
  logged?: { merchantId: string; seq: number };
}

export async function markDish(deps: MarkDeps, req: MarkRequest): Promise<MarkResult> {
  const { result, logged } = await inTx(deps.pool, async (conn): Promise<Outcome> => {
    const row = await selectDishForUpdate(conn, req.itemId);
    if (row === undefined) return { result: { kind: 'not_found' } };
    if (!req.mayAccess(row.merchant_id)) return { result: { kind: 'forbidden' } };
    const decision = decideMark(row.state, req.target);
    if (decision.kind === 'noop') return { result: { kind: 'ok', dish: dishView(row), changed: false } };
    if (decision.kind === 'conflict') {
      return { result: { kind: 'conflict', reason: decision.reason, dish: dishView(row) } };
    }

    const at = new Date();
    await updateDishState(conn, row.item_id, decision.to, at);
    const dish = dishView({ ...row, state: decision.to, updated_at: at });
    // last in the transaction: the merchant_seq row lock is held only until commit
    const seq = await appendChanges(conn, row.merchant_id, [{ kind: 'dish', dish, serve: decision.to === 'READY' }]);
    return { result: { kind: 'ok', dish, changed: true }, logged: { merchantId: row.merchant_id, seq } };
  });
  // after commit only: a screen must never be pushed a change that could still roll back
  if (logged !== undefined) deps.notifier.changed(logged.merchantId, logged.seq);
  return result;
}

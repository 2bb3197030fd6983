// Recalling a dish: the cook's READY back to WAITING, the waiter's SERVED back to READY, within
// the recall window. Same shape as mark.ts: lock the row, decide with the pure table, write, record
// who did it, log the change, all in one unit of work. A recall to READY is a new serve call for
// waiters (the dish is at the pass again).
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Conn } from '../db/pool';
import { dishView, readDish, type DishView } from '../views/dish';
import { insertDishMarks, type Actor } from './insert-dish-mark';
import { selectDishForUpdate } from './select-dish-for-update';
import { decideRecall, type RecallRole } from './transitions';

export type RecallResult =
  | { kind: 'ok'; dish: DishView }
  | { kind: 'not_found' }
  | { kind: 'forbidden' }
  | { kind: 'conflict'; reason: string; dish: DishView };

export interface RecallRequest {
  itemId: string;
  role: RecallRole;
  actor: Actor;
  windowS: number;
  mayAccess: (merchantId: string) => boolean;
}

/** READY → WAITING forgets ready_at, SERVED → READY forgets served_at: the undone mark never happened. */
async function updateRecalled(conn: Conn, itemId: string, to: string, at: Date): Promise<void> {
  await conn.query(
    `UPDATE dishes
        SET state = ?,
            ready_at = IF(? = 'WAITING', NULL, ready_at),
            served_at = IF(? = 'READY', NULL, served_at),
            updated_at = ?
      WHERE item_id = ?`,
    [to, to, to, at, itemId],
  );
}

export async function recallDish(work: UnitOfWork, req: RecallRequest, now: () => Date = () => new Date()): Promise<RecallResult> {
  return work.run(async (tx): Promise<RecallResult> => {
    const row = await selectDishForUpdate(tx.conn, req.itemId);
    if (row === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(row.merchant_id)) return { kind: 'forbidden' };
    const at = now();
    const markedAt = req.role === 'kitchen' ? row.ready_at : row.served_at;
    const d = decideRecall(row.state, req.role, markedAt === null ? null : new Date(markedAt), at, req.windowS);
    if (d.kind === 'conflict') return { kind: 'conflict', reason: d.reason, dish: dishView(row) };

    await updateRecalled(tx.conn, row.item_id, d.to, at);
    await insertDishMarks(tx.conn, [{
      merchantId: row.merchant_id, orderId: row.order_id, itemId: row.item_id,
      action: 'RECALL', from: d.from, to: d.to, actor: req.actor, at,
    }]);
    tx.touchDishes(d.to === 'READY' ? 'serve' : 'dish', [row.item_id]);
    return { kind: 'ok', dish: await readDish(tx.conn, row.item_id) };
  });
}

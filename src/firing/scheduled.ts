// Scheduled fires (fire by prep time, design note 10): whichever instance polls claims due rows of
// scheduled_fires with FOR UPDATE SKIP LOCKED and, in the same unit of work, fires their dishes and
// deletes the rows: a crash rolls back both (another instance, or this one after a restart, takes
// the row again), and two instances never fire one dish twice. A fire due while every instance was
// down is simply overdue when one is back: the dish gets `firedAt` = the moment it was due, so its
// timer and lateness are what they would have been.
//
// Lock order: the scheduled rows first (SKIP LOCKED), then their dishes, also with SKIP LOCKED. The
// other writers lock dishes first and then write scheduled rows (hold, fire, the pipeline); a
// poller that waited on a dish while holding its scheduled row could close a cycle with them, so it
// skips a dish another transaction holds and takes it at the next poll (its firedAt is the due
// time all the same).
import type { RowDataPacket } from 'mysql2/promise';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Conn } from '../db/pool';
import { DISH_COLUMNS, type DishRow } from '../views/dish';
import { readPrepTargets } from '../menu/targets';
import { dueAtOf } from './fire-plan';
import { claimDueFires, deleteScheduledFires, updateFiring } from './sql';

/** A fire carried out this long after its due moment counts as overdue (kds_scheduled_fires_total). */
export const OVERDUE_AFTER_S = 5;

export interface FireRunResult {
  fired: number;
  overdue: number;
}

export interface ScheduledFiresOptions {
  work: UnitOfWork;
  /** at most this many fires per unit of work */
  batchSize?: number;
  onFired?: (overdue: boolean) => void;
  now?: () => Date;
}

async function lockDishesSkipLocked(conn: Conn, itemIds: readonly string[]): Promise<DishRow[]> {
  const [rows] = await conn.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS} FROM dishes WHERE item_id IN (?) ORDER BY item_id FOR UPDATE SKIP LOCKED`,
    [itemIds],
  );
  return rows;
}

export interface ScheduledFires {
  /** One poll: fires what is due (in batches) until nothing due is left or a batch fired nothing. */
  runOnce(): Promise<FireRunResult>;
}

export function createScheduledFires(o: ScheduledFiresOptions): ScheduledFires {
  const batchSize = o.batchSize ?? 100;
  const now = o.now ?? (() => new Date());
  const runBatch = (): Promise<FireRunResult & { claimed: number }> =>
    o.work.run(async (tx) => {
      const due = await claimDueFires(tx.conn, now(), batchSize);
      if (due.length === 0) return { fired: 0, overdue: 0, claimed: 0 };
      const dishes = new Map((await lockDishesSkipLocked(tx.conn, due.map((d) => d.itemId))).map((d) => [d.item_id, d]));
      const taken = due.filter((f) => dishes.has(f.itemId));
      const targets = await readPrepTargets(tx.conn, [...dishes.values()].map((d) => ({ merchantId: d.merchant_id, dishId: d.dish_id })));
      const at = now();
      const fired: Array<{ row: DishRow; overdue: boolean }> = [];
      for (const f of taken) {
        const d = dishes.get(f.itemId);
        if (d === undefined || d.state !== 'WAITING' || Number(d.held) !== 1) continue; // served, cancelled or fired meanwhile
        const firedAt = new Date(f.dueAt);
        await updateFiring(tx.conn, d.item_id, { held: false, firedAt, dueAt: dueAtOf(firedAt, targets(d.merchant_id).prepSeconds(d.dish_id)) }, at);
        fired.push({ row: d, overdue: at.getTime() - firedAt.getTime() > OVERDUE_AFTER_S * 1000 });
      }
      await deleteScheduledFires(tx.conn, taken.map((f) => f.itemId));
      tx.touchDishes('dish', fired.map((f) => f.row.item_id));
      return { fired: fired.length, overdue: fired.filter((f) => f.overdue).length, claimed: taken.length };
    });
  return {
    async runOnce() {
      const total = { fired: 0, overdue: 0 };
      for (;;) {
        const r = await runBatch();
        // counted after commit: a deadlock victim's work runs again and must not count twice
        for (let i = 0; i < r.fired; i += 1) o.onFired?.(i < r.overdue);
        total.fired += r.fired;
        total.overdue += r.overdue;
        if (r.claimed < batchSize) return total;
      }
    },
  };
}

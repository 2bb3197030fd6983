// The one way to commit a change that screens see (docs/architecture.md). Every writer — the consumer's
// group write, the retry job, dish marks and every kitchen action — runs its work inside `run`:
//
//   1. the work takes its own row locks, in the fixed order of the whole system:
//        order queues (order_guards, by order id) → orders → dishes (by order id / item id) → ticket
//        counters (the apply step, in its last round trip);
//   2. it writes, and says WHICH rows it changed — never what they now hold:
//        tx.touchOrders(orderIds)            an order's row changed (status, rush, ticket, …); with
//                                            `numbered`, it got its ticket number now (first store)
//        tx.touchDishes(kind, itemIds)       dish rows changed; `kind` is the waiters' call:
//            'serve'  the change made the dish READY (take it to the table)
//            'pull'   a READY dish was cancelled (take it off the pass)
//            'dish'   anything else
//      Changes reach screens in the order of these calls (a row touched twice is one change, at
//      its first place; a serve/pull given by any of its touches is kept);
//   3. when the work returns, the touched rows are read back in this transaction through the one
//      mapper of each (src/views/dish.ts dishView, src/views/order.ts orderView; one SELECT per
//      table, src/changes/read-back.ts), so a pushed change equals what GET /api/orders/{id}
//      returns; a touched row that does not exist is a bug and rolls everything back;
//   4. recorders derived from the same changes (aggregates) read what they need of the touched rows
//      in step 3's round trip, and return their writes, which go to the server in the next step's
//      first round trip, ahead of it;
//   5. the merchants' `merchant_seq` rows are locked last, in merchant-id order, and the change log
//      appended (changes/append.ts): that lock orders the commits of a merchant, so committed seqs
//      are gap-free;
//   6. commit; only then the hub is told, so no screen is ever pushed a change that rolled back.
//
// A writer that answers its caller with the row it changed reads it with the same mapper
// (readDish in src/views/dish.ts, readOrder in src/board/read.ts) after its write.
// A deadlock victim is run again from step 1 (db/pool.ts inTx): the work must touch only the
// database and return what it decided; touches of a failed attempt are forgotten.
import type { SqlStatement } from '../db/batch';
import { inTx, type Conn, type Pool } from '../db/pool';
import { appendChangesOfMerchants, type ChangeNotifier } from './append';
import { createTouches, type DishTouch, type TouchedIds } from './read-back';

export type { DishTouch, TouchedIds };

export interface WorkTx {
  readonly conn: Conn;
  /** Dish rows this transaction changed, with the waiters' call their change makes. */
  touchDishes(kind: DishTouch, itemIds: readonly string[]): void;
  /**
   * Order rows this transaction changed; `numbered`: it gave them their ticket numbers (their first
   * store, once per order ever: the stats count orders there).
   */
  touchOrders(orderIds: readonly string[], numbered?: boolean): void;
}

/**
 * Derives more rows from the changes, inside the same transaction (e.g. the stats aggregates).
 * `read` is sent with the read-back of the touched rows (one round trip, after the work's writes);
 * `record` gets what it read and returns its writes, which the unit of work sends in the same
 * round trip as the seq reservation (in the order returned, before it).
 */
export interface ChangeRecorder {
  read(touched: TouchedIds): SqlStatement | null;
  record(rows: unknown): readonly SqlStatement[];
}

export interface UnitOfWork {
  run<T>(work: (tx: WorkTx) => Promise<T>): Promise<T>;
}

export interface UnitOfWorkDeps {
  pool: Pool;
  notifier: ChangeNotifier;
  recorders?: readonly ChangeRecorder[];
}

export function createUnitOfWork(deps: UnitOfWorkDeps): UnitOfWork {
  const recorders = deps.recorders ?? [];
  return {
    async run(work) {
      const { out, seqs } = await inTx(deps.pool, async (conn) => {
        const touches = createTouches();
        const tx: WorkTx = {
          conn,
          touchDishes: (kind, itemIds) => touches.dishes(kind, itemIds),
          touchOrders: (orderIds, numbered) => touches.orders(orderIds, numbered),
        };
        const result = await work(tx);
        const { byMerchant, alongside } = await touches.readBack(conn, (ids) => recorders.map((r) => r.read(ids)));
        const writes: SqlStatement[] = [];
        if (byMerchant.size > 0) recorders.forEach((r, i) => writes.push(...r.record(alongside[i])));
        return { out: result, seqs: await appendChangesOfMerchants(conn, byMerchant, writes) };
      });
      for (const [merchantId, seq] of seqs) deps.notifier.changed(merchantId, seq);
      return out;
    },
  };
}

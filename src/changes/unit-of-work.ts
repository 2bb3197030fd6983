// The one way to commit a change that screens see (design note 6). Every writer — the consumer's
// group write, the retry job, dish marks and every kitchen action — runs its work inside `run`:
//
//   1. the work takes its own row locks, in the fixed order of the whole system:
//        order queues (order_guards, by order id) → orders → dishes (by order id / item id);
//   2. it states the changes it made with `tx.log(merchantId, changes)`;
//   3. recorders derived from the same changes (aggregates) write in the same transaction;
//   4. the merchants' `merchant_seq` rows are locked last, in merchant-id order, and the change log
//      appended (changes/append.ts): that lock orders the commits of a merchant, so committed seqs
//      are gap-free;
//   5. commit; only then the hub is told, so no screen is ever pushed a change that rolled back.
//
// A deadlock victim is run again from step 1 (db/pool.ts inTx): the work must touch only the
// database and return what it decided.
import { inTx, type Conn, type Pool } from '../db/pool';
import { appendChangesOfMerchants, type Change, type ChangeNotifier } from './append';

export interface WorkTx {
  readonly conn: Conn;
  /** Changes this transaction made to a merchant's orders or dishes, in the order screens get them. */
  log(merchantId: string, changes: readonly Change[]): void;
}

/** Derives more rows from the changes, inside the same transaction (e.g. the stats aggregates). */
export interface ChangeRecorder {
  record(conn: Conn, byMerchant: ReadonlyMap<string, readonly Change[]>): Promise<void>;
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
        const byMerchant = new Map<string, Change[]>();
        const tx: WorkTx = {
          conn,
          log(merchantId, changes) {
            if (changes.length === 0) return;
            const list = byMerchant.get(merchantId);
            if (list === undefined) byMerchant.set(merchantId, [...changes]);
            else list.push(...changes);
          },
        };
        const result = await work(tx);
        if (byMerchant.size > 0) for (const r of recorders) await r.record(conn, byMerchant);
        return { out: result, seqs: await appendChangesOfMerchants(conn, byMerchant) };
      });
      for (const [merchantId, seq] of seqs) deps.notifier.changed(merchantId, seq);
      return out;
    },
  };
}

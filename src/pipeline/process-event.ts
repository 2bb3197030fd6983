// One valid order event, from decision to commit (design notes 1 and 2):
//   1. peek without locks: an event not newer than the stored version is a duplicate (no call);
//      an order with pending retry entries is parked behind them (no call);
//   2. otherwise read the order service, holding no database lock;
//   3. in one transaction with the order's guard row locked, decide again: park behind pending
//      entries (discarding the answer), park as the queue head when the read failed, or apply.
// Database errors propagate: the consumer retries the record rather than committing past it.
import type { ChangeNotifier } from '../changes/append';
import { inTx, type Pool } from '../db/pool';
import { describeError } from '../errors';
import type { OrderEvent } from '../events/decode';
import type { OrderSource } from '../order-service/client';
import { applyAndLog } from './apply';
import { fetchFresh } from './fetch-fresh';
import { lockGuard, peekProgress } from './sql/guard';
import { parkEvent } from './sql/park';

export type Outcome = 'applied' | 'duplicate' | 'parked';

export interface ProcessDeps {
  pool: Pool;
  orders: OrderSource;
  notifier: ChangeNotifier;
  /** When the first retry of a newly failed event is due. */
  firstRetryAt: (now: Date) => Date;
  clock?: () => Date;
}

export interface EventInput {
  event: OrderEvent;
  raw: string;
  source: string | null;
}

export type EventProcessor = (input: EventInput) => Promise<Outcome>;

export function createEventProcessor(deps: ProcessDeps): EventProcessor {
  const now = deps.clock ?? (() => new Date());
  return async ({ event, raw, source }) => {
    const peek = await peekProgress(deps.pool, event.orderId);
    if (peek.pending === 0 && peek.storedVersion >= event.version) return 'duplicate';
    const fetched = peek.pending > 0 ? undefined : await fetchFresh(deps.orders, event);

    const result = await inTx(deps.pool, async (conn) => {
      const guard = await lockGuard(conn, event.orderId, event.merchantId);
      if (guard.pending > 0 || fetched === undefined) {
        // Behind earlier entries of this order; if the peek was stale and the queue has emptied
        // since, this entry becomes the head and is due at once.
        const head = guard.pending === 0;
        await parkEvent(conn, guard, {
          event, raw, source,
          nextAttemptAt: head ? now() : null,
          lastError: head ? 'queued behind an entry that has since completed' : null,
        });
        return { outcome: 'parked' as const, seq: 0 };
      }
      if (!fetched.ok) {
        await parkEvent(conn, guard, {
          event, raw, source,
          nextAttemptAt: deps.firstRetryAt(now()),
          lastError: describeError(fetched.error),
        });
        return { outcome: 'parked' as const, seq: 0 };
      }
      const seq = await applyAndLog(conn, fetched.details, now());
      return { outcome: seq > 0 ? ('applied' as const) : ('duplicate' as const), seq };
    });
    if (result.seq > 0) deps.notifier.changed(event.merchantId, result.seq);
    return result.outcome;
  };
}

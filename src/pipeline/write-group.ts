// The deciding transaction of a group of events of different orders (design notes 1 and 2, made
// for many orders at once): lock every order's guard and order row, decide per event (park behind
// pending entries, park as the head when its read failed, skip a duplicate, or apply), then write
// all orders, all dishes and every merchant's change-log entries with one statement per table.
// One group costs ~10 statements and one commit, whatever its size.
import { appendChangesOfMerchants, type Change } from '../changes/append';
import type { Conn } from '../db/pool';
import { describeError } from '../errors';
import type { FetchResult } from './fetch-fresh';
import type { EventInput, Outcome } from './process-event';
import { applyOrders, type ApplyRequest } from './sql/apply-order';
import { lockGuards } from './sql/guard';
import { parkEvent } from './sql/park';

export interface GroupItem extends EventInput {
  /** The order service's answer; undefined when the peek saw pending entries (no call made). */
  fetched: FetchResult | undefined;
}

export interface GroupResult {
  outcomes: Outcome[];
  /** The last seq written per merchant, to notify screens after commit. */
  seqs: Map<string, number>;
}

export interface GroupClock {
  now: Date;
  /** When the first retry of a newly failed event is due. */
  firstRetryAt: (now: Date) => Date;
}

export async function writeGroup(conn: Conn, items: readonly GroupItem[], clock: GroupClock): Promise<GroupResult> {
  const { now } = clock;
  const guards = await lockGuards(conn, items.map((it) => it.event));
  const outcomes: Outcome[] = [];
  const applies: { index: number; request: ApplyRequest }[] = [];

  for (const [index, it] of items.entries()) {
    const { event, raw, source, fetched } = it;
    const guard = guards.get(event.orderId);
    if (guard === undefined) throw new Error(`no guard locked for order ${event.orderId}`);
    if (guard.pending > 0 || fetched === undefined) {
      // Behind earlier entries of this order; if the peek was stale and the queue has emptied
      // since, this entry becomes the head and is due at once.
      const head = guard.pending === 0;
      await parkEvent(conn, guard, {
        event, raw, source,
        nextAttemptAt: head ? now : null,
        lastError: head ? 'queued behind an entry that has since completed' : null,
      });
      outcomes[index] = 'parked';
    } else if (!fetched.ok) {
      await parkEvent(conn, guard, {
        event, raw, source,
        nextAttemptAt: clock.firstRetryAt(now),
        lastError: describeError(fetched.error),
      });
      outcomes[index] = 'parked';
    } else {
      outcomes[index] = 'duplicate';
      applies.push({ index, request: { details: fetched.details, storedVersion: guard.storedVersion } });
    }
  }

  const changes = await applyOrders(conn, applies.map((a) => a.request), now);
  const byMerchant = new Map<string, Change[]>();
  applies.forEach((a, i) => {
    const c = changes[i] ?? [];
    if (c.length === 0) return;
    outcomes[a.index] = 'applied';
    const merchantId = a.request.details.merchantId;
    const list = byMerchant.get(merchantId);
    if (list === undefined) byMerchant.set(merchantId, [...c]);
    else list.push(...c);
  });
  // the merchants' seq rows are locked last (see changes/append.ts)
  const seqs = await appendChangesOfMerchants(conn, byMerchant);
  return { outcomes, seqs };
}

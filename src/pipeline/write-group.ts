// The deciding transaction of a group of events of different orders (per-order order and version-
// guarded apply, docs/architecture.md, made for many orders at once): lock every order's queue and order row, decide per event with the
// queue's pure rule (src/order-queue/decide.ts: park behind open entries, park as the head when its
// read failed, or apply), then write all orders and all dishes with one statement per table
// (src/apply/apply-orders.ts), touching them for the unit of work, which reads them back for
// screens. One group costs ~12 statements and one commit, whatever its size.
import { applyOrders, type ApplyRequest, type MerchantContext } from '../apply/apply-orders';
import type { WorkTx } from '../changes/unit-of-work';
import type { OrderEvent } from '../events/decode';
import { decideArrival, type ReadResult, type RetryPolicy } from '../order-queue/decide';
import { lockQueues, park } from '../order-queue/sql';

export type Outcome = 'applied' | 'duplicate' | 'parked';

export interface EventInput {
  event: OrderEvent;
  raw: string;
  source: string | null;
}

export interface GroupItem extends EventInput {
  /** The order service's answer; undefined when the peek saw the order blocked (no call made). */
  fetched: ReadResult | undefined;
}

/** Runs inside a unit of work; returns each event's outcome, in item order. */
export async function writeGroup(
  tx: WorkTx,
  items: readonly GroupItem[],
  policy: RetryPolicy,
  merchants: MerchantContext,
): Promise<Outcome[]> {
  const queues = await lockQueues(tx.conn, items.map((it) => it.event));
  const outcomes: Outcome[] = [];
  const applies: { index: number; request: ApplyRequest }[] = [];

  for (const [index, it] of items.entries()) {
    const queue = queues.get(it.event.orderId);
    if (queue === undefined) throw new Error(`no queue locked for order ${it.event.orderId}`);
    const decision = decideArrival(queue, it.fetched, policy);
    if (decision.kind === 'park') {
      await park(tx.conn, queue, { event: it.event, raw: it.raw, source: it.source, plan: decision.plan });
      outcomes[index] = 'parked';
    } else {
      outcomes[index] = 'duplicate';
      applies.push({ index, request: { details: decision.details, storedVersion: queue.storedVersion, ticketed: queue.ticketed } });
    }
  }

  const applied = await applyOrders(tx, applies.map((a) => a.request), policy.now, merchants);
  applies.forEach((a, i) => {
    if (applied[i] === true) outcomes[a.index] = 'applied';
  });
  return outcomes;
}

// The deciding transaction of a group of events of different orders (design notes 1 and 2, made
// for many orders at once): lock every order's queue and order row, decide per event with the
// queue's pure rule (src/order-queue/decide.ts: park behind open entries, park as the head when its
// read failed, or apply), then write all orders and all dishes with one statement per table and
// log their changes. One group costs ~10 statements and one commit, whatever its size.
import type { WorkTx } from '../changes/unit-of-work';
import type { OrderEvent } from '../events/decode';
import type { MerchantZones } from '../merchant-settings/zones';
import { decideArrival, type ReadResult, type RetryPolicy } from '../order-queue/decide';
import { lockQueues, park } from '../order-queue/sql';
import { applyOrders, type ApplyRequest } from './sql/apply-order';

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
  zones: MerchantZones,
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
      applies.push({ index, request: { details: decision.details, storedVersion: queue.storedVersion } });
    }
  }

  const changes = await applyOrders(tx.conn, applies.map((a) => a.request), policy.now, zones);
  applies.forEach((a, i) => {
    const c = changes[i] ?? [];
    if (c.length === 0) return;
    outcomes[a.index] = 'applied';
    tx.log(a.request.details.merchantId, c);
  });
  return outcomes;
}

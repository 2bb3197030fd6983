// Reads an order for an event and insists the answer is usable: fresh (not behind the event) and
// about the same merchant. Failures come back as values, already classified; the consumer and the
// retry job decide from them with src/order-queue/decide.ts.
import { KdsError, PermanentError } from '../errors';
import type { OrderEvent } from '../events/decode';
import type { OrderSource } from './client';
import { assertFresh, type OrderDetails } from './details';

export type ReadResult = { ok: true; details: OrderDetails } | { ok: false; error: KdsError };

export async function fetchFresh(orders: OrderSource, event: Pick<OrderEvent, 'orderId' | 'merchantId' | 'version'>): Promise<ReadResult> {
  try {
    const details = await orders.fetchOrder(event.orderId);
    if (details.merchantId !== event.merchantId) {
      throw new PermanentError(
        'contract',
        `order service says merchant ${details.merchantId}, event says ${event.merchantId}`,
      );
    }
    assertFresh(details, event.version);
    return { ok: true, details };
  } catch (err) {
    if (err instanceof KdsError) return { ok: false, error: err };
    throw err;
  }
}

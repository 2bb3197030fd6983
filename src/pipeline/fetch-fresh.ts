// Reads an order for an event and insists the answer is usable: fresh (not behind the event) and
// about the same merchant. Failures come back as values, already classified.
import { PermanentError, RetriableError } from '../errors';
import type { OrderEvent } from '../events/decode';
import type { OrderSource } from '../order-service/client';
import { assertFresh, type OrderDetails } from '../order-service/details';

export type FetchResult = { ok: true; details: OrderDetails } | { ok: false; error: RetriableError | PermanentError };

export async function fetchFresh(orders: OrderSource, event: Pick<OrderEvent, 'orderId' | 'merchantId' | 'version'>): Promise<FetchResult> {
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
    if (err instanceof RetriableError || err instanceof PermanentError) return { ok: false, error: err };
    throw err;
  }
}

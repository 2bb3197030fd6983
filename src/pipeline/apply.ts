import { appendChanges } from '../changes/append';
import type { Conn } from '../db/pool';
import type { OrderDetails } from '../order-service/details';
import { applyOrder } from './sql/apply-order';

/** Applies an answer and logs its changes; returns the merchant's new seq, or 0 for a no-op. */
export async function applyAndLog(conn: Conn, details: OrderDetails, now: Date): Promise<number> {
  const changes = await applyOrder(conn, details, now);
  return appendChanges(conn, details.merchantId, changes);
}

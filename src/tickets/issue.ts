// Gives every order its ticket number and local day the first time the KDS stores it (contract:
// `ticketNo` counts the merchant's orders from 1 each local day, in order of arrival, stable once
// given). The apply step (src/apply/apply-orders.ts) places the arrivals first: the orders upsert
// writes their local day and hour (only where `ticket_no` is still NULL). The numbers come LAST in
// the apply step, in the round trip of the dishes' writes: the merchant-day counter is the hottest
// row an order's write takes (every group with a new order of that merchant and day waits for it),
// and a lock is held until commit, so it is taken as late as the read-back allows (the read-back
// must see the numbers). One reservation per merchant-day and one UPDATE of the orders compute the
// numbers in SQL from the counter, so nothing is read back between them. Lock order in
// docs/architecture.md: the counters after the dishes, before the recorders and merchant_seq.
import type { ResultSetHeader } from 'mysql2/promise';
import type { SqlStatement } from '../db/batch';
import { demand, fromEnd, place, type Arrival, type Placed } from './number';

/** Where each arrival sits in its merchant's local time (`zoneOf`: the zones read in this transaction). */
export function placeArrivals(arrivals: readonly Arrival[], zoneOf: (merchantId: string) => string): Placed[] {
  return arrivals.map((a) => {
    const at = place(a.placedAt, zoneOf(a.merchantId));
    return { orderId: a.orderId, merchantId: a.merchantId, placedAt: a.placedAt, localDate: at.localDate, localHour: at.localHour, hourStart: at.hourStart };
  });
}

export interface Numbering {
  /** Sent after the orders' rows hold their local days (the apply step's upsert). */
  statements: SqlStatement[];
  /** Given the results of `statements`, in their order: throws (a bug: the transaction rolls back) unless every order was numbered. */
  verify(results: readonly unknown[]): void;
}

/**
 * Reserves each merchant-day's share of numbers (counter rows in key order) and numbers the orders,
 * in the order given, from the counter as it now stands: the last of a day's arrivals gets the
 * counter, the one before it the counter - 1, and so on (`fromEnd`).
 */
export function numbering(placed: readonly Placed[]): Numbering {
  if (placed.length === 0) return { statements: [], verify: () => undefined };
  const offsets = fromEnd(placed);
  const cases: unknown[] = [];
  for (const a of placed) cases.push(a.orderId, offsets.get(a.orderId));
  return {
    statements: [
      {
        sql: `INSERT INTO merchant_day_tickets (merchant_id, local_date, last_no) VALUES ?
         ON DUPLICATE KEY UPDATE last_no = last_no + VALUES(last_no)`,
        values: [demand(placed).map((d) => [d.merchantId, d.localDate, d.n])],
      },
      {
        // a single-table UPDATE by primary key, the counter read per row: a join would let the
        // optimizer walk orders from the counters and lock other transactions' orders
        sql: `UPDATE orders o
                 SET o.ticket_no = (SELECT t.last_no FROM merchant_day_tickets t
                                     WHERE t.merchant_id = o.merchant_id AND t.local_date = o.local_date)
                                   - CASE o.order_id ${placed.map(() => 'WHEN ? THEN ?').join(' ')} END
               WHERE o.order_id IN (?) AND o.ticket_no IS NULL`,
        values: [...cases, placed.map((a) => a.orderId)],
      },
    ],
    verify(results) {
      const numbered = (results[1] as ResultSetHeader | undefined)?.affectedRows;
      if (numbered !== placed.length) throw new Error(`ticket numbering: ${String(numbered)} of ${placed.length} orders numbered`);
    },
  };
}

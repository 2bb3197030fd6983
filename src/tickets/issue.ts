// Gives every order its ticket number and local day the first time the KDS stores it (contract:
// `ticketNo` counts the merchant's orders from 1 each local day, in order of arrival, stable once
// given). Runs inside the apply step's unit of work (src/apply/apply-orders.ts) BEFORE the orders
// upsert, which then writes the numbers in the same statement (`ticket_no` only where it is still
// NULL): the orders' guard rows are locked already and say which orders have a number
// (src/order-queue/sql.ts lockQueues), so no read of the orders and no second UPDATE of them is
// needed. Issue 20 measured that fold: 2 statements fewer per write group and 1 row update fewer
// per event (docs/throughput.md). The merchant-day counter rows are taken here, in key order,
// after the guards and order rows and before the dishes and merchant_seq (lock order in
// docs/architecture.md).
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import { dayKey, demand, numberArrivals, place, type Arrival, type Numbered } from './number';

/**
 * Reserves the next numbers of their merchant-days for these orders (none of which has a number
 * yet), in the order given, and says where each sits in its merchant's local time (`zoneOf`: the
 * merchants' zones as read in this transaction).
 */
export async function reserveTickets(conn: Conn, arrivals: readonly Arrival[], zoneOf: (merchantId: string) => string): Promise<Map<string, Numbered>> {
  const out = new Map<string, Numbered>();
  if (arrivals.length === 0) return out;
  const placed = arrivals.map((a) => {
    const at = place(a.placedAt, zoneOf(a.merchantId));
    return { orderId: a.orderId, merchantId: a.merchantId, placedAt: a.placedAt, localDate: at.localDate, localHour: at.localHour, hourStart: at.hourStart };
  });
  const days = demand(placed);
  await conn.query(
    `INSERT INTO merchant_day_tickets (merchant_id, local_date, last_no) VALUES ?
     ON DUPLICATE KEY UPDATE last_no = last_no + VALUES(last_no)`,
    [days.map((d) => [d.merchantId, d.localDate, d.n])],
  );
  const [counters] = await conn.query<RowDataPacket[]>(
    `SELECT merchant_id, DATE_FORMAT(local_date, '%Y-%m-%d') AS local_date, last_no
       FROM merchant_day_tickets WHERE (merchant_id, local_date) IN (?) FOR UPDATE`,
    [days.map((d) => [d.merchantId, d.localDate])],
  );
  const lastNo = new Map(counters.map((c) => [dayKey(String(c.merchant_id), String(c.local_date)), Number(c.last_no)]));
  for (const n of numberArrivals(placed, lastNo)) out.set(n.orderId, n);
  return out;
}

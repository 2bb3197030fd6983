// Gives every order its ticket number and local day the first time the KDS stores it (contract:
// `ticketNo` counts the merchant's orders from 1 each local day, in order of arrival, stable once
// given). Runs inside the pipeline's unit of work right after the orders upsert: the order rows are
// locked already; the merchant-day counter rows are taken next, in key order, before the unit of
// work takes merchant_seq (lock order in src/changes/unit-of-work.ts).
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import type { MerchantZones } from '../merchant-settings/zones';
import { dayKey, demand, numberArrivals, place, type Arrival } from './number';

/** The ticket number of every given order, issuing numbers to those that have none yet. */
export async function issueTickets(conn: Conn, arrivals: readonly Arrival[], zones: MerchantZones): Promise<Map<string, number>> {
  const tickets = new Map<string, number>();
  if (arrivals.length === 0) return tickets;
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT order_id, ticket_no FROM orders WHERE order_id IN (?)',
    [arrivals.map((a) => a.orderId)],
  );
  for (const r of rows) if (r.ticket_no !== null) tickets.set(String(r.order_id), Number(r.ticket_no));
  const fresh = arrivals.filter((a) => !tickets.has(a.orderId));
  if (fresh.length === 0) return tickets;

  const zoneOf = await zones.zonesOf(conn, fresh.map((a) => a.merchantId));
  const placed = fresh.map((a) => ({ ...a, ...place(a.placedAt, zoneOf.get(a.merchantId) ?? zones.defaultZone) }));
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
  const numbered = numberArrivals(placed, lastNo);

  const cases = (col: string): string => `${col} = CASE order_id ${numbered.map(() => 'WHEN ? THEN ?').join(' ')} END`;
  const params: unknown[] = [];
  for (const pick of [
    (n: (typeof numbered)[number]) => n.ticketNo,
    (n: (typeof numbered)[number]) => n.localDate,
    (n: (typeof numbered)[number]) => n.localHour,
    (n: (typeof numbered)[number]) => n.hourStart,
  ]) for (const n of numbered) params.push(n.orderId, pick(n));
  params.push(numbered.map((n) => n.orderId));
  await conn.query(
    `UPDATE orders SET ${cases('ticket_no')}, ${cases('local_date')}, ${cases('local_hour')}, ${cases('hour_start')}
      WHERE order_id IN (?) AND ticket_no IS NULL`,
    params,
  );
  for (const n of numbered) tickets.set(n.orderId, n.ticketNo);
  return tickets;
}

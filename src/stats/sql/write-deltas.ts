// Writes the figures' differences and the new contributions: one multi-row upsert per table, rows
// in key order (so two transactions touching the same merchant-days lock them in the same order).
import type { Conn } from '../../db/pool';
import { nonZero, type Contribution, type Deltas } from '../contribution';

export async function writeDeltas(conn: Conn, deltas: Deltas): Promise<void> {
  const days = nonZero(deltas.stationDays, (v) => v.dishes === 0 && v.served === 0 && v.cancelled === 0 && v.late === 0);
  if (days.length > 0) {
    await conn.query(
      `INSERT INTO stats_station_days (merchant_id, local_date, station, dishes, served, cancelled, late) VALUES ?
       ON DUPLICATE KEY UPDATE dishes = dishes + VALUES(dishes), served = served + VALUES(served),
                               cancelled = cancelled + VALUES(cancelled), late = late + VALUES(late)`,
      [days.map((d) => [d.merchantId, d.localDate, d.station, d.dishes, d.served, d.cancelled, d.late])],
    );
  }
  const hours = nonZero(deltas.hours, (v) => v.orders === 0 && v.dishes === 0);
  if (hours.length > 0) {
    await conn.query(
      `INSERT INTO stats_hours (merchant_id, local_date, hour_start, local_hour, orders, dishes) VALUES ?
       ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders), dishes = dishes + VALUES(dishes)`,
      [hours.map((h) => [h.merchantId, h.localDate, h.hourStart, h.localHour, h.orders, h.dishes])],
    );
  }
  const buckets = nonZero(deltas.buckets, (v) => v.n === 0);
  if (buckets.length > 0) {
    await conn.query(
      `INSERT INTO stats_time_buckets (merchant_id, local_date, station, metric, bucket, n) VALUES ?
       ON DUPLICATE KEY UPDATE n = n + VALUES(n)`,
      [buckets.map((b) => [b.merchantId, b.localDate, b.station, b.metric, b.bucket, b.n])],
    );
  }
}

export async function writeMarks(conn: Conn, marks: readonly Contribution[]): Promise<void> {
  if (marks.length === 0) return;
  const sorted = [...marks].sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : 1));
  await conn.query(
    `INSERT INTO stats_marks (kind, id, merchant_id, local_date, hour_start, local_hour, station, served, cancelled, late, ticket_s, serve_s)
     VALUES ?
     ON DUPLICATE KEY UPDATE merchant_id = VALUES(merchant_id), local_date = VALUES(local_date), hour_start = VALUES(hour_start),
       local_hour = VALUES(local_hour), station = VALUES(station), served = VALUES(served), cancelled = VALUES(cancelled),
       late = VALUES(late), ticket_s = VALUES(ticket_s), serve_s = VALUES(serve_s)`,
    [sorted.map((m) => [m.kind, m.id, m.merchantId, m.localDate, m.hourStart, m.localHour, m.station, m.served, m.cancelled, m.late, m.ticketS, m.serveS])],
  );
}

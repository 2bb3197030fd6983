// The figures' differences and the new contributions as writes: one multi-row upsert per table,
// rows in key order (so two transactions touching the same merchant-days lock them in the same
// order). The unit of work sends them with its seq reservation, in one round trip.
import type { SqlStatement } from '../../db/batch';
import { nonZero, type Contribution, type Deltas } from '../contribution';

export function deltaWrites(deltas: Deltas): SqlStatement[] {
  const out: SqlStatement[] = [];
  const days = nonZero(deltas.stationDays, (v) => v.dishes === 0 && v.served === 0 && v.cancelled === 0 && v.late === 0);
  if (days.length > 0) {
    out.push({
      sql: `INSERT INTO stats_station_days (merchant_id, local_date, station, dishes, served, cancelled, late) VALUES ?
       ON DUPLICATE KEY UPDATE dishes = dishes + VALUES(dishes), served = served + VALUES(served),
                               cancelled = cancelled + VALUES(cancelled), late = late + VALUES(late)`,
      values: [days.map((d) => [d.merchantId, d.localDate, d.station, d.dishes, d.served, d.cancelled, d.late])],
    });
  }
  const hours = nonZero(deltas.hours, (v) => v.orders === 0 && v.dishes === 0);
  if (hours.length > 0) {
    out.push({
      sql: `INSERT INTO stats_hours (merchant_id, local_date, hour_start, local_hour, orders, dishes) VALUES ?
       ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders), dishes = dishes + VALUES(dishes)`,
      values: [hours.map((h) => [h.merchantId, h.localDate, h.hourStart, h.localHour, h.orders, h.dishes])],
    });
  }
  const buckets = nonZero(deltas.buckets, (v) => v.n === 0);
  if (buckets.length > 0) {
    out.push({
      sql: `INSERT INTO stats_time_buckets (merchant_id, local_date, station, metric, bucket, n) VALUES ?
       ON DUPLICATE KEY UPDATE n = n + VALUES(n)`,
      values: [buckets.map((b) => [b.merchantId, b.localDate, b.station, b.metric, b.bucket, b.n])],
    });
  }
  return out;
}

export function markWrites(marks: readonly Contribution[]): SqlStatement[] {
  if (marks.length === 0) return [];
  const sorted = [...marks].sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : 1));
  return [{
    sql: `INSERT INTO stats_marks (kind, id, merchant_id, local_date, hour_start, local_hour, station, served, cancelled, late, ticket_s, serve_s)
     VALUES ?
     ON DUPLICATE KEY UPDATE merchant_id = VALUES(merchant_id), local_date = VALUES(local_date), hour_start = VALUES(hour_start),
       local_hour = VALUES(local_hour), station = VALUES(station), served = VALUES(served), cancelled = VALUES(cancelled),
       late = VALUES(late), ticket_s = VALUES(ticket_s), serve_s = VALUES(serve_s)`,
    values: [sorted.map((m) => [m.kind, m.id, m.merchantId, m.localDate, m.hourStart, m.localHour, m.station, m.served, m.cancelled, m.late, m.ticketS, m.serveS])],
  }];
}

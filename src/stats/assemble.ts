// The contract's stats object from a day's aggregate rows. Pure.
import { dayHours } from '../local-time/zone';
import { percentiles, type Percentiles } from './buckets';
import type { DayRows } from './sql/select-days';

export interface DayFigures {
  orders: number;
  dishes: number;
  served: number;
  cancelled: number;
  late: number;
  ticketSeconds: Percentiles;
  serveSeconds: Percentiles;
}

export interface DayStats extends DayFigures {
  merchantId: string;
  date: string;
  timeZone: string;
  byStation: { station: string | null; dishes: number; ticketSeconds: Percentiles }[];
  /** every local hour of the day in order (23/24/25); `startsAt` tells a repeated hour apart */
  byHour: { hour: number; startsAt: string; orders: number; dishes: number }[];
  lastWeek: DayStats | null;
}

function onDay(rows: DayRows, date: string): DayRows {
  return {
    stations: rows.stations.filter((r) => r.local_date === date),
    hours: rows.hours.filter((r) => r.local_date === date),
    buckets: rows.buckets.filter((r) => r.local_date === date),
  };
}

function histogram(rows: DayRows['buckets'], metric: 'T' | 'S', station?: string): Map<number, number> {
  const h = new Map<number, number>();
  for (const b of rows) {
    if (b.metric !== metric || (station !== undefined && b.station !== station)) continue;
    h.set(b.bucket, (h.get(b.bucket) ?? 0) + b.n);
  }
  return h;
}

/** Whether anything was recorded on the day (an order or a dish). */
export function recorded(rows: DayRows, date: string): boolean {
  return rows.stations.some((r) => r.local_date === date && r.dishes !== 0) || rows.hours.some((r) => r.local_date === date && r.orders !== 0);
}

export function dayFigures(all: DayRows, date: string): DayFigures {
  const rows = onDay(all, date);
  const sum = (k: 'dishes' | 'served' | 'cancelled' | 'late'): number => rows.stations.reduce((s, r) => s + r[k], 0);
  return {
    orders: rows.hours.reduce((s, r) => s + r.orders, 0),
    dishes: sum('dishes'),
    served: sum('served'),
    cancelled: sum('cancelled'),
    late: sum('late'),
    ticketSeconds: percentiles(histogram(rows.buckets, 'T')),
    serveSeconds: percentiles(histogram(rows.buckets, 'S')),
  };
}

export function assembleDay(merchantId: string, date: string, timeZone: string, all: DayRows): Omit<DayStats, 'lastWeek'> {
  const rows = onDay(all, date);
  const byStation = rows.stations
    .filter((r) => r.dishes !== 0)
    .sort((a, b) => (a.station < b.station ? -1 : a.station > b.station ? 1 : 0))
    .map((r) => ({ station: r.station === '' ? null : r.station, dishes: r.dishes, ticketSeconds: percentiles(histogram(rows.buckets, 'T', r.station)) }));
  // the hours of the day in the merchant's zone now; rows recorded under another zone (it was
  // changed since) are kept too, in time order
  const hours = new Map<number, { hour: number; startsAt: string; orders: number; dishes: number }>();
  for (const h of dayHours(date, timeZone)) hours.set(h.startsAt.getTime(), { hour: h.hour, startsAt: h.startsAt.toISOString(), orders: 0, dishes: 0 });
  for (const r of rows.hours) {
    const t = new Date(r.hour_start).getTime();
    const h = hours.get(t) ?? { hour: r.local_hour, startsAt: new Date(t).toISOString(), orders: 0, dishes: 0 };
    h.orders += r.orders;
    h.dishes += r.dishes;
    hours.set(t, h);
  }
  const byHour = [...hours].sort(([a], [b]) => a - b).map(([, h]) => h);
  return { merchantId, date, timeZone, ...dayFigures(all, date), byStation, byHour };
}

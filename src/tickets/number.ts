// Ticket numbers as a pure rule: count per merchant and local day, in order of arrival. Pure.
import { localDateAndHour } from '../local-time/zone';

export interface Arrival {
  orderId: string;
  merchantId: string;
  placedAt: Date;
}

/** Where an order sits in its merchant's local time, fixed when the KDS first stores it. */
export interface Placement {
  localDate: string;
  localHour: number;
  hourStart: Date;
}

export interface Numbered extends Placement {
  orderId: string;
  merchantId: string;
  ticketNo: number;
}

export function place(placedAt: Date, zone: string): Placement {
  const h = localDateAndHour(placedAt, zone);
  return { localDate: h.date, localHour: h.hour, hourStart: h.startsAt };
}

export const dayKey = (merchantId: string, date: string): string => `${merchantId}\u0000${date}`;

/** How many numbers each merchant-day needs, in key order (the order its counter rows are locked). */
export function demand(placed: readonly (Arrival & Placement)[]): { merchantId: string; localDate: string; n: number }[] {
  const out = new Map<string, { merchantId: string; localDate: string; n: number }>();
  for (const a of placed) {
    const k = dayKey(a.merchantId, a.localDate);
    const d = out.get(k) ?? { merchantId: a.merchantId, localDate: a.localDate, n: 0 };
    d.n += 1;
    out.set(k, d);
  }
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/**
 * Numbers the arrivals, in the order given, from counters that already include them: `lastNo`
 * is each merchant-day's counter after reserving its share, so its range ends there.
 */
export function numberArrivals(placed: readonly (Arrival & Placement)[], lastNo: ReadonlyMap<string, number>): Numbered[] {
  const need = new Map(demand(placed).map((d) => [dayKey(d.merchantId, d.localDate), d.n]));
  const next = new Map<string, number>();
  for (const [k, n] of need) {
    const end = lastNo.get(k);
    if (end === undefined || end < n) throw new Error(`ticket counter returned no usable number for ${k.replace('\u0000', ' ')}`);
    next.set(k, end - n + 1);
  }
  return placed.map((a) => {
    const k = dayKey(a.merchantId, a.localDate);
    const n = next.get(k) as number;
    next.set(k, n + 1);
    return { orderId: a.orderId, merchantId: a.merchantId, localDate: a.localDate, localHour: a.localHour, hourStart: a.hourStart, ticketNo: n };
  });
}

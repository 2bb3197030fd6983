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

/** An arrival and where it sits in local time. */
export interface Placed extends Arrival, Placement {}

export function place(placedAt: Date, zone: string): Placement {
  const h = localDateAndHour(placedAt, zone);
  return { localDate: h.date, localHour: h.hour, hourStart: h.startsAt };
}

export const dayKey = (merchantId: string, date: string): string => `${merchantId}\u0000${date}`;

/** How many numbers each merchant-day needs, in key order (the order its counter rows are locked). */
export function demand(placed: readonly Placed[]): { merchantId: string; localDate: string; n: number }[] {
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
 * How far each arrival's number sits from the end of its merchant-day's range: the counter, after
 * reserving this batch's share, is the last number given, so an arrival gets `counter - fromEnd`.
 * Numbers run in the order given (of arrival), one per order, none skipped.
 */
export function fromEnd(placed: readonly Placed[]): Map<string, number> {
  const after = new Map<string, number>();
  const out = new Map<string, number>();
  for (let i = placed.length - 1; i >= 0; i -= 1) {
    const a = placed[i] as Placed;
    const k = dayKey(a.merchantId, a.localDate);
    const n = after.get(k) ?? 0;
    out.set(a.orderId, n);
    after.set(k, n + 1);
  }
  return out;
}

// What one dish or order adds to the figures, and the difference between two such contributions.
// Pure. The recorder keeps each subject's current contribution (stats_marks) and applies
// new - old, so recording the same state twice changes nothing (docs/dashboard.md).
import { bucketOf } from './buckets';

/** A dish as stored, with its order's local day and hour (fixed when the order was first stored). */
export interface DishFacts {
  merchantId: string;
  localDate: string;
  hourStart: Date;
  localHour: number;
  station: string | null;
  state: string;
  placedAt: Date;
  readyAt: Date | null;
  servedAt: Date | null;
  /** when the kitchen could start it (contract "Kitchen workflows"); absent/null: placedAt */
  firedAt?: Date | null;
  /** firedAt plus the dish's prep target; absent/null: no target */
  dueAt?: Date | null;
}

export interface Contribution {
  kind: 'D' | 'O';
  id: string;
  merchantId: string;
  localDate: string;
  hourStart: Date;
  localHour: number;
  /** '' for an order, and for a dish without a station */
  station: string;
  served: number;
  cancelled: number;
  late: number;
  ticketS: number | null;
  serveS: number | null;
}

const seconds = (from: Date, to: Date): number => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

/**
 * A dish's ticket time runs from `firedAt` (a held dish's time waiting for the guests is not the
 * kitchen's) and counts while it is READY or SERVED (a recall to WAITING takes it back); its serve
 * time once SERVED. Late: cooked after its `dueAt`, or without a target more than `lateAfterS`
 * after it was fired.
 */
export function dishContribution(itemId: string, d: DishFacts, lateAfterS: number): Contribution {
  const cooked = (d.state === 'READY' || d.state === 'SERVED') && d.readyAt !== null;
  const start = d.firedAt ?? d.placedAt;
  const ticketS = cooked ? seconds(start, d.readyAt as Date) : null;
  const late = !cooked ? 0
    : d.dueAt !== null && d.dueAt !== undefined ? ((d.readyAt as Date).getTime() > d.dueAt.getTime() ? 1 : 0)
    : ticketS !== null && ticketS > lateAfterS ? 1 : 0;
  const serveS = d.state === 'SERVED' && d.readyAt !== null && d.servedAt !== null ? seconds(d.readyAt, d.servedAt) : null;
  return {
    kind: 'D', id: itemId, merchantId: d.merchantId, localDate: d.localDate, hourStart: d.hourStart, localHour: d.localHour,
    station: d.station ?? '',
    served: d.state === 'SERVED' ? 1 : 0,
    cancelled: d.state === 'CANCELLED' ? 1 : 0,
    late,
    ticketS, serveS,
  };
}

export function orderContribution(orderId: string, o: Omit<DishFacts, 'station' | 'state' | 'placedAt' | 'readyAt' | 'servedAt'>): Contribution {
  return {
    kind: 'O', id: orderId, merchantId: o.merchantId, localDate: o.localDate, hourStart: o.hourStart, localHour: o.localHour,
    station: '', served: 0, cancelled: 0, late: 0, ticketS: null, serveS: null,
  };
}

export function sameContribution(a: Contribution, b: Contribution): boolean {
  return a.merchantId === b.merchantId && a.localDate === b.localDate && a.hourStart.getTime() === b.hourStart.getTime() &&
    a.station === b.station && a.served === b.served && a.cancelled === b.cancelled && a.late === b.late &&
    a.ticketS === b.ticketS && a.serveS === b.serveS;
}

/** Additive deltas keyed by the aggregate row they go to. */
export interface Deltas {
  stationDays: Map<string, { merchantId: string; localDate: string; station: string; dishes: number; served: number; cancelled: number; late: number }>;
  hours: Map<string, { merchantId: string; localDate: string; hourStart: Date; localHour: number; orders: number; dishes: number }>;
  buckets: Map<string, { merchantId: string; localDate: string; station: string; metric: 'T' | 'S'; bucket: number; n: number }>;
}

export function emptyDeltas(): Deltas {
  return { stationDays: new Map(), hours: new Map(), buckets: new Map() };
}

/** Adds `sign` × the contribution to the deltas (sign -1 takes an old contribution back). */
export function addContribution(into: Deltas, c: Contribution, sign: 1 | -1): void {
  const hk = `${c.merchantId}\u0000${c.localDate}\u0000${c.hourStart.getTime()}`;
  const h = into.hours.get(hk) ?? { merchantId: c.merchantId, localDate: c.localDate, hourStart: c.hourStart, localHour: c.localHour, orders: 0, dishes: 0 };
  if (c.kind === 'O') h.orders += sign;
  else h.dishes += sign;
  into.hours.set(hk, h);
  if (c.kind === 'O') return;

  const sk = `${c.merchantId}\u0000${c.localDate}\u0000${c.station}`;
  const s = into.stationDays.get(sk) ?? { merchantId: c.merchantId, localDate: c.localDate, station: c.station, dishes: 0, served: 0, cancelled: 0, late: 0 };
  s.dishes += sign;
  s.served += sign * c.served;
  s.cancelled += sign * c.cancelled;
  s.late += sign * c.late;
  into.stationDays.set(sk, s);

  for (const [metric, value] of [['T', c.ticketS], ['S', c.serveS]] as const) {
    if (value === null) continue;
    const bucket = bucketOf(value);
    const bk = `${sk}\u0000${metric}\u0000${String(bucket).padStart(4, '0')}`;
    const b = into.buckets.get(bk) ?? { merchantId: c.merchantId, localDate: c.localDate, station: c.station, metric, bucket, n: 0 };
    b.n += sign;
    into.buckets.set(bk, b);
  }
}

/** The non-zero deltas of a map, in key order (the order their rows are locked). */
export function nonZero<T extends object>(m: ReadonlyMap<string, T>, isZero: (v: T) => boolean): T[] {
  return [...m].filter(([, v]) => !isZero(v)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

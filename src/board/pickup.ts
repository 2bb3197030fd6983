// The pickup board (contract "Running a service"): take-away orders as "preparing" or "ready"
// numbers. Pure: which list an order is on, from its dishes' states.

/** Take-away orders placed this many hours back are considered (a service day, not three days). */
export const PICKUP_HOURS = 12;
/** A ready number stays up this long after its last dish was cooked, unless all are served. */
export const PICKUP_READY_S = 3600;

export interface PickupOrder {
  orderId: string;
  /** the order's ticket number; a short fallback label while none is assigned */
  ticket: number | string;
  /** portions' dish rows by state, CANCELLED rows left out */
  waiting: number;
  ready: number;
  served: number;
  lastReadyAt: Date | null;
  /** contract "Kitchen workflows": TAKEAWAY or DELIVERY (the board lists both), platform, pickup time */
  channel?: string;
  platform?: string | null;
  pickupAt?: Date | null;
}

export type PickupPlace = 'preparing' | 'ready' | null;

export function pickupPlace(o: PickupOrder, now: Date): PickupPlace {
  if (o.waiting + o.ready + o.served === 0) return null; // everything cancelled
  if (o.waiting > 0) return 'preparing';
  if (o.ready === 0) return null; // all served: collected
  if (o.lastReadyAt !== null && now.getTime() - o.lastReadyAt.getTime() > PICKUP_READY_S * 1000) return null;
  return 'ready';
}

/** One number on the board with how it leaves (docs/screens.md: an addition to the contract's lists). */
export interface PickupEntry {
  ticket: number | string;
  place: 'preparing' | 'ready';
  channel: string;
  platform: string | null;
  pickupAt: string | null;
}

export interface PickupBoard {
  preparing: Array<number | string>;
  ready: Array<number | string>;
  orders: PickupEntry[];
}

/** Preparing in order of arrival; ready with the most recently cooked last (the newest call at the end). */
export function pickupBoard(orders: readonly PickupOrder[], now: Date): PickupBoard {
  const preparing: PickupOrder[] = [];
  const ready: PickupOrder[] = [];
  for (const o of orders) {
    const place = pickupPlace(o, now);
    if (place === 'preparing') preparing.push(o);
    else if (place === 'ready') ready.push(o);
  }
  ready.sort((a, b) => (a.lastReadyAt?.getTime() ?? 0) - (b.lastReadyAt?.getTime() ?? 0));
  const entry = (place: 'preparing' | 'ready') => (o: PickupOrder): PickupEntry => ({
    ticket: o.ticket, place, channel: o.channel ?? 'TAKEAWAY', platform: o.platform ?? null,
    pickupAt: o.pickupAt === null || o.pickupAt === undefined ? null : o.pickupAt.toISOString(),
  });
  return {
    preparing: preparing.map((o) => o.ticket),
    ready: ready.map((o) => o.ticket),
    orders: [...preparing.map(entry('preparing')), ...ready.map(entry('ready'))],
  };
}

/** The ticket number when the order has one (ticket numbers are assigned by the stats feature). */
export function ticketOf(orderId: string, ticketNo: unknown): number | string {
  const n = Number(ticketNo);
  if (ticketNo !== null && ticketNo !== undefined && Number.isSafeInteger(n) && n >= 1) return n;
  return orderId.slice(-4);
}

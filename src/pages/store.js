// The screens' model of the merchant's open orders, fed by snapshot and change frames.
import { api } from './common.js';

export const OPEN = new Set(['WAITING', 'READY']);
/** Served and cancelled dishes stay on a ticket this long (struck through), then leave it. */
export const DONE_LINGER_MS = 60_000;
/** An order the order system COMPLETED leaves the screens this long after the screen learnt it (the server's rule). */
export const COMPLETED_GRACE_MS = 30 * 60_000;

export function createStore(token, onUpdate) {
  /** orderId → { orderId, tableNo, status, version, placedAt, rush, ticketNo, dishes: Map(itemId → dish) } */
  const orders = new Map();
  const fetching = new Set();

  const fromDetail = (o) => ({
    orderId: o.orderId,
    tableNo: o.tableNo,
    status: o.status,
    version: o.version,
    placedAt: o.placedAt ?? null,
    rush: o.rush === true,
    ticketNo: o.ticketNo ?? null,
    completedAt: o.status === 'COMPLETED' ? Date.now() : null,
    dishes: new Map(o.dishes.map((d) => [d.itemId, d])),
  });

  // a change can name an order the screen has not seen (placed after the snapshot): its placing
  // time and table come from the order API
  const ensure = (orderId) => {
    let o = orders.get(orderId);
    if (o) return o;
    o = { orderId, tableNo: null, status: '', version: 0, placedAt: null, rush: false, ticketNo: null, completedAt: null, dishes: new Map() };
    orders.set(orderId, o);
    if (!fetching.has(orderId)) {
      fetching.add(orderId);
      api(token, 'GET', `/api/orders/${encodeURIComponent(orderId)}`)
        .then(({ status, body }) => {
          const cur = orders.get(orderId);
          if (status !== 200 || !cur) return;
          cur.placedAt = body.placedAt;
          cur.ticketNo = body.ticketNo ?? cur.ticketNo;
          if (cur.version <= body.version) Object.assign(cur, { tableNo: body.tableNo, status: body.status, version: body.version, rush: body.rush === true });
          for (const d of body.dishes) if (!cur.dishes.has(d.itemId)) cur.dishes.set(d.itemId, d);
          onUpdate();
        })
        .catch(() => undefined)
        .finally(() => fetching.delete(orderId));
    }
    return o;
  };

  const visible = (d, station, now) =>
    (!station || d.station === station) && (OPEN.has(d.state) || now - Date.parse(d.updatedAt) < DONE_LINGER_MS);

  return {
    orders,
    snapshot(list) {
      orders.clear();
      for (const o of list) orders.set(o.orderId, fromDetail(o));
      onUpdate();
    },
    order(o) {
      const cur = ensure(o.orderId);
      Object.assign(cur, { tableNo: o.tableNo, status: o.status, version: o.version });
      // only the rush calls' changes carry the flag; the order system's leave it as it is
      if (typeof o.rush === 'boolean') cur.rush = o.rush;
      if (o.ticketNo !== undefined) cur.ticketNo = o.ticketNo;
      if (o.status === 'COMPLETED' && cur.completedAt === null) cur.completedAt = Date.now();
      onUpdate();
    },
    dish(d, { onlyIfNewer = false } = {}) {
      const cur = ensure(d.orderId);
      const old = cur.dishes.get(d.itemId);
      // HTTP answers may arrive after a newer pushed change: never let them move a dish back
      if (onlyIfNewer && old && old.updatedAt > d.updatedAt) return;
      cur.dishes.set(d.itemId, d);
      onUpdate();
    },
    /** The dishes a ticket shows: open ones, and done ones for DONE_LINGER_MS. */
    shown(o, station, now = Date.now()) {
      return [...o.dishes.values()].filter((d) => visible(d, station, now));
    },
    /** Orders with an open dish (at `station`, if given): rush first, then oldest first. */
    open(station, now = Date.now()) {
      const list = [...orders.values()].filter((o) =>
        !(o.completedAt !== null && now - o.completedAt > COMPLETED_GRACE_MS) &&
        [...o.dishes.values()].some((d) => OPEN.has(d.state) && (!station || d.station === station)));
      return list.sort((a, b) => Number(b.rush) - Number(a.rush) ||
        (a.placedAt ?? '9').localeCompare(b.placedAt ?? '9') || a.orderId.localeCompare(b.orderId));
    },
    /** Forget orders that have nothing open any more (keeps a day-long screen small). */
    prune() {
      for (const [id, o] of orders) if (![...o.dishes.values()].some((d) => OPEN.has(d.state))) orders.delete(id);
    },
  };
}

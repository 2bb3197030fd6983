// The screens' model of the merchant's open orders, fed by snapshot and change frames.
import { api, noteDataAsOf } from './common.js';

export const OPEN = new Set(['WAITING', 'READY']);
/** Served and cancelled dishes stay on a ticket this long (struck through), then leave it. */
export const DONE_LINGER_MS = 60_000;
/** An order the order system COMPLETED leaves the screens this long after the screen learnt it (the server's rule). */
export const COMPLETED_GRACE_MS = 30 * 60_000;

/** The board is saved on the device, so a screen reloaded offline still shows its tickets (and their age). */
const SAVED_MAX_AGE_MS = 12 * 3600_000;

export function createStore(token, onChange) {
  /** orderId → { orderId, tableNo, status, version, placedAt, rush, ticketNo, dishes: Map(itemId → dish) } */
  const orders = new Map();
  const fetching = new Set();
  const savedKey = `kds.board.${location.pathname}.${String(token).slice(-16)}`;
  let saveTimer = null;
  const save = () => {
    saveTimer = null;
    const list = [...orders.values()].map((o) => ({ ...o, dishes: [...o.dishes.values()] }));
    try {
      localStorage.setItem(savedKey, JSON.stringify({ at: Date.now(), orders: list }));
    } catch {
      // storage full: the live board still works, only a reload offline shows less
    }
  };
  const onUpdate = () => {
    if (saveTimer === null) saveTimer = setTimeout(save, 2000);
    onChange();
  };

  const fromDetail = (o) => ({
    orderId: o.orderId,
    tableNo: o.tableNo,
    status: o.status,
    version: o.version,
    placedAt: o.placedAt ?? null,
    rush: o.rush === true,
    ticketNo: o.ticketNo ?? null,
    channel: o.channel ?? (o.tableNo ? 'DINE_IN' : 'TAKEAWAY'),
    platform: o.platform ?? null,
    pickupAt: o.pickupAt ?? null,
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

  try {
    const saved = JSON.parse(localStorage.getItem(savedKey) ?? 'null');
    if (saved && Date.now() - saved.at < SAVED_MAX_AGE_MS && Array.isArray(saved.orders)) {
      for (const o of saved.orders) orders.set(o.orderId, fromDetail(o));
      noteDataAsOf(saved.at);
      setTimeout(onChange, 0);
    }
  } catch {
    // a damaged saved board is ignored; the feed's snapshot replaces it anyway
  }

  return {
    orders,
    snapshot(list) {
      orders.clear();
      for (const o of list) orders.set(o.orderId, fromDetail(o));
      onUpdate();
    },
    /** Adds orders read by HTTP (e.g. GET …/held) that the screen does not have yet. */
    merge(list) {
      for (const o of list) if (!orders.has(o.orderId)) orders.set(o.orderId, fromDetail(o));
      onUpdate();
    },
    order(o) {
      const cur = ensure(o.orderId);
      Object.assign(cur, { tableNo: o.tableNo, status: o.status, version: o.version });
      if (o.channel !== undefined) Object.assign(cur, { channel: o.channel, platform: o.platform ?? null, pickupAt: o.pickupAt ?? null });
      // every order change carries the stored flag (src/views/order.ts); kept optional for old log rows
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

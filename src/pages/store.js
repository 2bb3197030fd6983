// The screens' model of the merchant's open orders, fed by snapshot and change frames.
import { api } from './common.js';

export const OPEN = new Set(['WAITING', 'READY']);

export function createStore(token, onUpdate) {
  /** orderId → { orderId, tableNo, status, version, placedAt, dishes: Map(itemId → dish) } */
  const orders = new Map();
  const fetching = new Set();

  const fromDetail = (o) => ({
    orderId: o.orderId,
    tableNo: o.tableNo,
    status: o.status,
    version: o.version,
    placedAt: o.placedAt ?? null,
    dishes: new Map(o.dishes.map((d) => [d.itemId, d])),
  });

  // a change can name an order the screen has not seen (placed after the snapshot): its placing
  // time and table come from the order API
  const ensure = (orderId) => {
    let o = orders.get(orderId);
    if (o) return o;
    o = { orderId, tableNo: null, status: '', version: 0, placedAt: null, dishes: new Map() };
    orders.set(orderId, o);
    if (!fetching.has(orderId)) {
      fetching.add(orderId);
      api(token, 'GET', `/api/orders/${encodeURIComponent(orderId)}`)
        .then(({ status, body }) => {
          const cur = orders.get(orderId);
          if (status !== 200 || !cur) return;
          cur.placedAt = body.placedAt;
          if (cur.version <= body.version) Object.assign(cur, { tableNo: body.tableNo, status: body.status, version: body.version });
          for (const d of body.dishes) if (!cur.dishes.has(d.itemId)) cur.dishes.set(d.itemId, d);
          onUpdate();
        })
        .catch(() => undefined)
        .finally(() => fetching.delete(orderId));
    }
    return o;
  };

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
    /** Orders with an open dish (at `station`, if given), oldest first. */
    open(station) {
      const list = [...orders.values()].filter((o) =>
        [...o.dishes.values()].some((d) => OPEN.has(d.state) && (!station || d.station === station)));
      return list.sort((a, b) => (a.placedAt ?? '9').localeCompare(b.placedAt ?? '9') || a.orderId.localeCompare(b.orderId));
    },
    /** Forget orders that have nothing open any more (keeps a day-long screen small). */
    prune() {
      for (const [id, o] of orders) if (![...o.dishes.values()].some((d) => OPEN.has(d.state))) orders.delete(id);
    },
  };
}

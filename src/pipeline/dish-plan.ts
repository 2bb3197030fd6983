// Which dish rows an order-service answer changes, and how. Pure.
// Kitchen state is the KDS's own: upstream may only move an unserved dish to CANCELLED
// (item cancelled, or the whole order cancelled); it never moves a dish backwards.
//
// Added portions: when the order system raises the quantity of an item the kitchen already cooked
// (READY or SERVED), the cooked row keeps the portions that were cooked and the extra portions
// become a dish row of their own, `WAITING`, with `added_to` naming the item (id from
// addedItemId). So the pass keeps what is there, the kitchen gets exactly the portions to cook, and
// each row's state stays true. The order system's quantity of an item is therefore the item's row
// plus its added rows; a lowered quantity is taken from the item's own row (cooked portions that
// are no longer wanted are the kitchen's to throw away, rows are not deleted).
import { createHash } from 'node:crypto';
import type { DishView } from '../changes/append';
import type { OrderDetails } from '../order-service/details';

export interface ExistingDish {
  item_id: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  upstream_status: string;
  upstream_version: number;
  state: string;
  ready_at?: Date | null;
  served_at?: Date | null;
  /** set on added-portion rows: the item they were added to */
  added_to?: string | null;
}

export interface DishWrite {
  itemId: string;
  dishId: string | null;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  upstreamStatus: string;
  state: string;
  addedTo: string | null;
}

const iso = (d: Date | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());

export function kitchenStateAfter(current: string | undefined, cancelled: boolean): string {
  if (current === undefined) return cancelled ? 'CANCELLED' : 'WAITING';
  if (cancelled && current !== 'SERVED') return 'CANCELLED';
  return current;
}

const COOKED = new Set(['READY', 'SERVED']);

/**
 * The id of the n-th added-portion row of an item: `<itemId>_add<n>`, within the 64 characters
 * ids may have (a long item id is shortened and made unique by a hash of it).
 */
export function addedItemId(itemId: string, n: number): string {
  const suffix = `_add${n}`;
  if (itemId.length + suffix.length <= 64) return itemId + suffix;
  const hash = createHash('sha1').update(itemId).digest('hex').slice(0, 10);
  return `${itemId.slice(0, 64 - suffix.length - hash.length - 1)}_${hash}${suffix}`;
}

export function planDishes(
  existing: ReadonlyMap<string, ExistingDish>,
  details: OrderDetails,
  updatedAt: Date,
): { writes: DishWrite[]; views: DishView[] } {
  const orderCancelled = details.status === 'CANCELLED';
  const writes: DishWrite[] = [];
  const views: DishView[] = [];
  const added = new Map<string, ExistingDish[]>();
  for (const d of existing.values()) {
    if (d.added_to === null || d.added_to === undefined) continue;
    added.set(d.added_to, [...(added.get(d.added_to) ?? []), d]);
  }
  const push = (w: DishWrite, before?: ExistingDish): void => {
    writes.push(w);
    views.push({
      itemId: w.itemId,
      orderId: details.orderId,
      name: w.name,
      quantity: w.quantity,
      station: w.station,
      note: w.note,
      state: w.state,
      updatedAt: updatedAt.toISOString(),
      readyAt: iso(before?.ready_at),
      servedAt: iso(before?.served_at),
      ...(w.addedTo !== null ? { addedTo: w.addedTo } : {}),
    });
  };

  for (const item of details.items) {
    const prev = existing.get(item.itemId);
    if (prev !== undefined && Number(prev.upstream_version) >= details.version) continue;
    const cancelled = orderCancelled || item.status === 'CANCELLED';
    const state = kitchenStateAfter(prev?.state, cancelled);
    const extras = added.get(item.itemId) ?? [];
    const addedQty = extras.reduce((n, d) => n + Number(d.quantity), 0);
    let quantity = item.quantity;
    let more = 0;
    if (prev !== undefined) {
      const owed = Number(prev.quantity) + addedQty;
      if (!cancelled && COOKED.has(prev.state) && item.quantity > owed) {
        quantity = Number(prev.quantity);
        more = item.quantity - owed;
      } else {
        quantity = Math.max(0, item.quantity - addedQty);
      }
    }
    const changed =
      prev === undefined ||
      prev.name !== item.name ||
      Number(prev.quantity) !== quantity ||
      prev.station !== item.station ||
      prev.note !== item.note ||
      prev.upstream_status !== item.status ||
      prev.state !== state;
    if (changed) {
      push({
        itemId: item.itemId, dishId: item.dishId, name: item.name, quantity, station: item.station,
        note: item.note, upstreamStatus: item.status, state, addedTo: null,
      }, prev);
    }
    if (more > 0) {
      let n = extras.length + 1;
      while (existing.has(addedItemId(item.itemId, n))) n += 1;
      push({
        itemId: addedItemId(item.itemId, n), dishId: item.dishId, name: item.name, quantity: more,
        station: item.station, note: item.note, upstreamStatus: item.status, state: 'WAITING', addedTo: item.itemId,
      });
    }
    // added portions follow their item's cancellation (a served one stays served)
    if (cancelled) {
      for (const x of extras) {
        const to = kitchenStateAfter(x.state, true);
        if (to === x.state || Number(x.upstream_version) >= details.version) continue;
        push({
          itemId: x.item_id, dishId: item.dishId, name: x.name, quantity: Number(x.quantity), station: x.station,
          note: x.note, upstreamStatus: item.status, state: to, addedTo: item.itemId,
        }, x);
      }
    }
  }
  return { writes, views };
}

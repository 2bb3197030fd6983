// Which dish rows an order-service answer changes, and how. Pure.
// Kitchen state is the KDS's own: upstream may only move an unserved dish to CANCELLED
// (item cancelled, or the whole order cancelled); it never moves a dish backwards.
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
}

const iso = (d: Date | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());

export function kitchenStateAfter(current: string | undefined, cancelled: boolean): string {
  if (current === undefined) return cancelled ? 'CANCELLED' : 'WAITING';
  if (cancelled && current !== 'SERVED') return 'CANCELLED';
  return current;
}

export function planDishes(
  existing: ReadonlyMap<string, ExistingDish>,
  details: OrderDetails,
  updatedAt: Date,
): { writes: DishWrite[]; views: DishView[] } {
  const orderCancelled = details.status === 'CANCELLED';
  const writes: DishWrite[] = [];
  const views: DishView[] = [];
  for (const item of details.items) {
    const prev = existing.get(item.itemId);
    if (prev !== undefined && Number(prev.upstream_version) >= details.version) continue;
    const state = kitchenStateAfter(prev?.state, orderCancelled || item.status === 'CANCELLED');
    const changed =
      prev === undefined ||
      prev.name !== item.name ||
      Number(prev.quantity) !== item.quantity ||
      prev.station !== item.station ||
      prev.note !== item.note ||
      prev.upstream_status !== item.status ||
      prev.state !== state;
    if (!changed) continue;
    writes.push({
      itemId: item.itemId,
      dishId: item.dishId,
      name: item.name,
      quantity: item.quantity,
      station: item.station,
      note: item.note,
      upstreamStatus: item.status,
      state,
    });
    views.push({
      itemId: item.itemId,
      orderId: details.orderId,
      name: item.name,
      quantity: item.quantity,
      station: item.station,
      note: item.note,
      state,
      updatedAt: updatedAt.toISOString(),
      readyAt: iso(prev?.ready_at),
      servedAt: iso(prev?.served_at),
    });
  }
  return { writes, views };
}

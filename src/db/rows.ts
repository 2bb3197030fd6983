// Mapping of dish rows to the views screens and the change log carry.
import type { DishView } from '../changes/append';

export interface DishRow {
  item_id: string;
  order_id: string;
  merchant_id: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  state: string;
  updated_at: Date;
  ready_at: Date | null;
  served_at: Date | null;
  added_to?: string | null;
}

export const DISH_COLUMNS =
  'item_id, order_id, merchant_id, name, quantity, station, note, state, updated_at, ready_at, served_at, added_to';

export function dishView(r: DishRow): DishView {
  return {
    itemId: r.item_id,
    orderId: r.order_id,
    name: r.name,
    quantity: Number(r.quantity),
    station: r.station,
    note: r.note,
    state: r.state,
    updatedAt: new Date(r.updated_at).toISOString(),
    readyAt: r.ready_at === null ? null : new Date(r.ready_at).toISOString(),
    servedAt: r.served_at === null ? null : new Date(r.served_at).toISOString(),
    ...(r.added_to !== null && r.added_to !== undefined ? { addedTo: r.added_to } : {}),
  };
}

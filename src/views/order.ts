// What screens are told about an order, made from the stored row by ONE mapper: the contract's
// order view plus `ticketNo`, `rush` and `placedAt` (for ticket timers; docs/screens.md).
// `GET /api/orders/{id}` and the boards answer `orderDetail` (the view with its dishes); every
// pushed `order` change is `orderView` of the row read back by the unit of work
// (src/changes/read-back.ts), i.e. exactly the GET answer without `dishes`.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { SqlStatement } from '../db/batch';
import type { DishView } from './dish';

export interface OrderView {
  orderId: string;
  merchantId: string;
  tableNo: string | null;
  status: string;
  version: number;
  /** per merchant and local day, from 1 (src/tickets/); null only for an order not numbered yet */
  ticketNo: number | null;
  placedAt: string;
  rush: boolean;
  /** contract "Kitchen workflows": DINE_IN, TAKEAWAY or DELIVERY; platform and pickupAt or null */
  channel: string;
  platform: string | null;
  pickupAt: string | null;
}

export interface OrderDetail extends OrderView {
  dishes: DishView[];
}

export interface OrderRow {
  order_id: string;
  merchant_id: string;
  table_no: string | null;
  status: string;
  version: number;
  placed_at: Date;
  ticket_no: number | null;
  rush: number;
  channel: string;
  platform: string | null;
  pickup_at: Date | null;
}

export const ORDER_COLUMN_NAMES = [
  'order_id', 'merchant_id', 'table_no', 'status', 'version', 'placed_at', 'ticket_no', 'rush', 'channel', 'platform', 'pickup_at',
] as const;
const COLUMNS: readonly string[] = ORDER_COLUMN_NAMES;

/** The columns orderView maps, optionally qualified by a table alias (`orderColumns('o')`). */
export function orderColumns(alias?: string): string {
  return alias === undefined ? COLUMNS.join(', ') : COLUMNS.map((c) => `${alias}.${c}`).join(', ');
}

export function orderView(r: OrderRow): OrderView {
  return {
    orderId: r.order_id,
    merchantId: r.merchant_id,
    tableNo: r.table_no,
    status: r.status,
    version: Number(r.version),
    ticketNo: r.ticket_no === null ? null : Number(r.ticket_no),
    placedAt: new Date(r.placed_at).toISOString(),
    rush: Number(r.rush) === 1,
    channel: r.channel,
    platform: r.platform,
    pickupAt: r.pickup_at === null ? null : new Date(r.pickup_at).toISOString(),
  };
}

export function orderDetail(r: OrderRow, dishes: DishView[]): OrderDetail {
  return { ...orderView(r), dishes };
}

/** Orders by id (primary key), as stored; inside a transaction this includes its own writes. */
export async function selectOrderRows(db: Connection, orderIds: readonly string[]): Promise<OrderRow[]> {
  if (orderIds.length === 0) return [];
  const { sql, values } = orderRowsStatement(orderIds);
  const [rows] = await db.query<(OrderRow & RowDataPacket)[]>(sql, values);
  return rows;
}

/** selectOrderRows as a statement, for a caller that sends it with others (src/db/batch.ts); ids not empty. */
export function orderRowsStatement(orderIds: readonly string[]): SqlStatement {
  return { sql: `SELECT ${orderColumns()} FROM orders WHERE order_id IN (?)`, values: [orderIds] };
}

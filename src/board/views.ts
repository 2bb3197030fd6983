// What the order and board reads return: the contract's order view plus `placedAt` (for ticket
// timers on screens; documented in docs/screens.md) and `rush`.
import type { DishView } from '../changes/append';

export interface OrderDetail {
  orderId: string;
  merchantId: string;
  tableNo: string | null;
  status: string;
  version: number;
  placedAt: string;
  ticketNo: number | null;
  rush: boolean;
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
}

export function orderDetail(r: OrderRow, dishes: DishView[]): OrderDetail {
  return {
    orderId: r.order_id,
    merchantId: r.merchant_id,
    tableNo: r.table_no,
    status: r.status,
    version: Number(r.version),
    placedAt: new Date(r.placed_at).toISOString(),
    ticketNo: r.ticket_no === null ? null : Number(r.ticket_no),
    rush: Number(r.rush) === 1,
    dishes,
  };
}

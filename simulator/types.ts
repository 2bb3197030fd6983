// Wire shapes of the two upstream contracts (the order service's API and the order events): the order-service body and
// the Kafka event value. Kept apart from the generators so the KDS side can read them without
// pulling in any simulator code.

export type OrderStatus = 'PLACED' | 'PAID' | 'COMPLETED' | 'CANCELLED';
export type ItemStatus = 'ACTIVE' | 'CANCELLED';
export type EventType =
  | 'ORDER_PLACED'
  | 'ORDER_ITEMS_CHANGED'
  | 'ORDER_PAID'
  | 'ORDER_COMPLETED'
  | 'ORDER_CANCELLED';

export interface OrderItem {
  itemId: string;
  dishId: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  status: ItemStatus;
  /** optional fields of newer order-service releases (order-service.md, added 2026-12-02) */
  course?: number;
  hold?: boolean;
}

/** `GET /orders/{orderId}` 200 body, field for field (order-service.md). */
export interface OrderBody {
  orderId: string;
  merchantId: string;
  tableNo: string | null;
  status: OrderStatus;
  version: number;
  placedAt: string;
  updatedAt: string;
  channel?: 'DINE_IN' | 'TAKEAWAY' | 'DELIVERY';
  platform?: string | null;
  pickupAt?: string | null;
  items: OrderItem[];
}

/** Kafka record value (order-events.md). */
export interface OrderEvent {
  eventId: string;
  type: EventType;
  orderId: string;
  merchantId: string;
  version: number;
  occurredAt: string;
}

/** One change of one order: the event and the full body the order service holds after it. */
export interface Step {
  event: OrderEvent;
  order: OrderBody;
}

// Hand-made orders and their events, for tests that need exact control over each step, and a
// filter over generated traffic.
import { randomUUID } from 'node:crypto';
import type { Message, Producer } from 'kafkajs';
import type { OrderBody, OrderEvent } from '../../simulator/scenario';
import type { Step } from '../../simulator/types';

export function body(orderId: string, version: number, over: Partial<OrderBody> = {}): OrderBody {
  const at = new Date(Date.now() - 60_000 + version).toISOString();
  return {
    orderId,
    merchantId: 'M0001',
    tableNo: 'A1',
    status: version === 1 ? 'PLACED' : 'PAID',
    version,
    placedAt: new Date(Date.now() - 60_000).toISOString(),
    updatedAt: at,
    items: [
      { itemId: `${orderId}-1`, dishId: 'D1', name: 'Mapo Tofu 麻婆豆腐', quantity: 1, station: 'wok', note: 'less spicy 🌶️', status: 'ACTIVE' },
      { itemId: `${orderId}-2`, dishId: 'D2', name: 'Green Tea', quantity: 2, station: 'bar', note: null, status: 'ACTIVE' },
    ],
    ...over,
  };
}

export function eventFor(b: OrderBody, type: OrderEvent['type']): OrderEvent {
  return {
    eventId: randomUUID(),
    type,
    orderId: b.orderId,
    merchantId: b.merchantId,
    version: b.version,
    occurredAt: b.updatedAt,
  };
}

export function record(e: OrderEvent, env = 'test'): Message {
  return { key: e.orderId, value: JSON.stringify(e), headers: { env } };
}

export async function publish(p: Producer, topic: string, messages: Message[]): Promise<void> {
  await p.send({ topic, acks: -1, messages });
}

/** The first step (ORDER_PLACED) of each order: every event needs a call and a write. */
export function placedOnly(steps: readonly Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((s) => (seen.has(s.event.orderId) ? false : (seen.add(s.event.orderId), true)));
}

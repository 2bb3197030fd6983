// The retry table's real moving parts for tests: a fresh database, the order-service simulator,
// the HTTP client (with its gate) and the event processor that parks failures. Events are handed
// to the processor directly (no Kafka): these tests are about what happens after parking.
import { createOrderServiceClient, type OrderSource } from '../../src/order-service/client';
import { createCallGate } from '../../src/order-service/limiter';
import { createEventProcessor, type EventProcessor } from '../../src/pipeline/process-event';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import type { OrderEvent } from '../../simulator/scenario';
import type { RowDataPacket } from 'mysql2/promise';
import { freshDatabase, type TestDb } from './db';
import { body, eventFor } from './events';
import { quietNotifier, testWork } from './features';

export const noChanges = quietNotifier;

export interface RetryKit {
  db: TestDb;
  sim: OrderServiceSimulator;
  client: OrderSource;
  /** Processor reading through `source` (default: the plain client). */
  processor(source?: OrderSource): EventProcessor;
  close(): Promise<void>;
}

export async function startRetryKit(label: string): Promise<RetryKit> {
  const db = await freshDatabase(label);
  const sim = await createOrderServiceSimulator();
  const client = createOrderServiceClient({
    baseUrl: sim.url,
    timeoutMs: 2000,
    gate: createCallGate({ maxConcurrent: 32, maxPerSecond: 10_000 }),
  });
  return {
    db, sim, client,
    processor: (source = client) => {
      const { work, zones } = testWork(db.pool);
      // due at once: these tests work parked events with the retry job right away
      return createEventProcessor({ pool: db.pool, orders: source, work, zones, retry: { maxAttempts: 7, delayMs: () => 0 } });
    },
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}

/** Puts versions 1..n of an order into the simulator and returns their events, in order. */
export function orderWithEvents(sim: OrderServiceSimulator, orderId: string, n: number, merchantId = 'M0001'): OrderEvent[] {
  const events: OrderEvent[] = [];
  for (let v = 1; v <= n; v++) {
    const b = body(orderId, v, { merchantId });
    sim.putOrder(b);
    events.push(eventFor(b, v === 1 ? 'ORDER_PLACED' : 'ORDER_ITEMS_CHANGED'));
  }
  return events;
}

export async function feed(process: EventProcessor, events: readonly OrderEvent[]): Promise<string[]> {
  const out: string[] = [];
  for (const event of events) out.push(await process({ event, raw: JSON.stringify(event), source: 'test' }));
  return out;
}

export interface EntryRow {
  id: number;
  order_id: string;
  status: string;
  attempts: number;
  queue_pos: number;
  mailed_at: Date | null;
}

export async function entries(db: TestDb, where = '1 = 1', params: unknown[] = []): Promise<EntryRow[]> {
  const [rows] = await db.pool.query<(EntryRow & RowDataPacket)[]>(
    `SELECT id, order_id, status, attempts, queue_pos, mailed_at FROM retry_entries WHERE ${where} ORDER BY id`,
    params,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts), queue_pos: Number(r.queue_pos) }));
}

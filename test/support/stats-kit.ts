// The stats' real moving parts in one process: a fresh database, the order-service simulator, the
// event processor and the HTTP API wired as the composition root wires them (merchant zones, the
// stats recorder in the unit of work, the settings and stats routers). Events go to the processor
// directly: these tests are about what the figures say, not about Kafka.
import { randomUUID } from 'node:crypto';
import { createUnitOfWork, type UnitOfWork } from '../../src/changes/unit-of-work';
import { createHttpServer, type HttpServer } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createMerchantSettingsRouter } from '../../src/merchant-settings/routes';
import { createMerchantZones } from '../../src/merchant-settings/zones';
import { createOrderServiceClient } from '../../src/order-service/client';
import { createCallGate } from '../../src/order-service/limiter';
import { createEventProcessor, type EventProcessor } from '../../src/pipeline/process-event';
import { createPushHub } from '../../src/push/hub';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import type { OrderBody, OrderEvent } from '../../simulator/scenario';
import { createStatsRecorder } from '../../src/stats/recorder';
import { createStatsRouter } from '../../src/stats/routes';
import { freshDatabase, type TestDb } from './db';
import { body, eventFor } from './events';
import { KEY } from './screens';
import { createTokenAuth } from '../../src/auth/token-auth';
import { createLimiters } from '../../src/limits/limits';

export const LATE_AFTER_S = 900;

export interface StatsKit {
  db: TestDb;
  sim: OrderServiceSimulator;
  work: UnitOfWork;
  process: EventProcessor;
  base: string;
  http: HttpServer;
  /** Puts the order's next version into the simulator and feeds its event; returns the outcome. */
  place(o: Partial<OrderBody> & { orderId: string; merchantId: string; placedAt: string }, version?: number): Promise<{ outcome: string; event: OrderEvent }>;
  feed(event: OrderEvent): Promise<string>;
  close(): Promise<void>;
}

export async function startStatsKit(label: string, opts: { defaultZone?: string; clock?: () => Date } = {}): Promise<StatsKit> {
  const db = await freshDatabase(label);
  const sim = await createOrderServiceSimulator();
  const client = createOrderServiceClient({
    baseUrl: sim.url, timeoutMs: 2000, gate: createCallGate({ maxConcurrent: 32, maxPerSecond: 10_000 }),
  });
  const zones = createMerchantZones(opts.defaultZone ?? 'UTC');
  const auth = createTokenAuth(KEY);
  const limiters = createLimiters();
  const hub = createPushHub({ pool: db.pool, auth, limiters, boardDays: 3, log: silentLogger });
  const work = createUnitOfWork({ pool: db.pool, notifier: hub, recorders: [createStatsRecorder({ lateAfterS: LATE_AFTER_S })] });
  const process = createEventProcessor({ pool: db.pool, orders: client, work, retry: { maxAttempts: 7, delayMs: () => 0 }, zones });
  const http = createHttpServer({
    pool: db.pool, auth, limiters, boardDays: 3, log: silentLogger, work,
    readiness: () => Promise.resolve({ mysql: true }),
    metricsText: () => Promise.resolve(''),
    routers: [
      createMerchantSettingsRouter({ pool: db.pool, zones }),
      createStatsRouter({ pool: db.pool, zones, lateAfterS: LATE_AFTER_S, boardDays: 3, ...(opts.clock ? { clock: opts.clock } : {}) }),
    ],
  }, hub);
  const port = await http.listen(0, '127.0.0.1');
  const feed = (event: OrderEvent): Promise<string> => process({ event, raw: JSON.stringify(event), source: 'test' });
  return {
    db, sim, work, process, http, base: `http://127.0.0.1:${port}`,
    feed,
    async place(o, version = 1) {
      const b = body(o.orderId, version, { ...o, updatedAt: new Date(Date.parse(o.placedAt) + version * 1000).toISOString() });
      sim.putOrder(b);
      const event = { ...eventFor(b, version === 1 ? 'ORDER_PLACED' : 'ORDER_ITEMS_CHANGED'), eventId: randomUUID() };
      return { outcome: await feed(event), event };
    },
    async close() {
      await http.close(1000);
      await sim.close();
      await db.drop();
    },
  };
}

// The KDS pipeline composed the way src/service.ts composes it (pool, gate, client, processor,
// keyed scheduler, consumer), for integration tests and the benchmark's baseline, which need to
// reach inside (wrap the processor, read the scheduler and gate) without HTTP or cron.
import type { Kafka } from 'kafkajs';
import type { ChangeNotifier } from '../../src/changes/append';
import type { Pool } from '../../src/db/pool';
import { silentLogger, type Logger } from '../../src/log';
import { createOrderServiceClient, type CallObserver, type OrderSource } from '../../src/order-service/client';
import { createCallGate, type LimitedGate } from '../../src/order-service/limiter';
import { createOrderConsumer, type ConsumerObserver, type OrderConsumer, type RecordOutcome } from '../../src/pipeline/consumer';
import { createKeyedScheduler, type KeyedScheduler } from '../../src/pipeline/keyed-scheduler';
import { createEventProcessor, parkFailedEvent, type EventProcessor } from '../../src/pipeline/process-event';
import { storeDeadLetter } from '../../src/pipeline/sql/dead-letter';
import { createUnitOfWork } from '../../src/changes/unit-of-work';

export interface PipelineLimits {
  processingConcurrency: number;
  orderServiceMaxConcurrent: number;
  orderServiceMaxPerSecond: number;
}

export interface PipelineOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  env: string;
  pool: Pool;
  orderServiceUrl: string;
  limits: PipelineLimits;
  observer?: ConsumerObserver;
  callObserver?: CallObserver;
  notifier?: ChangeNotifier;
  /** Default: a shared gate is made here; pass one to share it with a retry worker. */
  gate?: LimitedGate;
  wrapOrders?: (o: OrderSource) => OrderSource;
  wrapProcessor?: (p: EventProcessor) => EventProcessor;
  log?: Logger;
  sessionTimeoutMs?: number;
  /** Called with the kafkajs consumer before it starts (to listen to its instrumentation events). */
  beforeStart?: (consumer: OrderConsumer['consumer']) => void;
}

export interface Pipeline {
  scheduler: KeyedScheduler;
  gate: LimitedGate;
  orders: OrderSource;
  consumer: OrderConsumer;
  close(): Promise<void>;
}

export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const gate = o.gate ?? createCallGate({ maxConcurrent: o.limits.orderServiceMaxConcurrent, maxPerSecond: o.limits.orderServiceMaxPerSecond });
  const client = createOrderServiceClient({ baseUrl: o.orderServiceUrl, timeoutMs: 5000, gate, ...(o.callObserver ? { observer: o.callObserver } : {}) });
  const orders = o.wrapOrders ? o.wrapOrders(client) : client;
  const work = createUnitOfWork({ pool: o.pool, notifier: o.notifier ?? { changed: () => undefined } });
  const processor = createEventProcessor({
    pool: o.pool,
    orders,
    work,
    retry: { maxAttempts: 7, delayMs: () => 200 },
  });
  const scheduler = createKeyedScheduler(o.limits.processingConcurrency);
  const consumer = createOrderConsumer({
    kafka: o.kafka,
    topic: o.topic,
    groupId: o.groupId,
    env: o.env,
    fromBeginning: true,
    sessionTimeoutMs: o.sessionTimeoutMs ?? 30_000,
    process: o.wrapProcessor ? o.wrapProcessor(processor) : processor,
    parkFailed: (input, err) => parkFailedEvent(work, input, err, { maxAttempts: 7, delayMs: () => 200, now: new Date() }),
    deadLetter: (d) => storeDeadLetter(o.pool, d),
    scheduler,
    log: o.log ?? silentLogger,
    ...(o.observer ? { observer: o.observer } : {}),
  });
  o.beforeStart?.(consumer.consumer);
  await consumer.start();
  return { scheduler, gate, orders, consumer, close: () => consumer.stop() };
}

/** Counts finished records by outcome and lets a caller wait for a total. */
export interface Tally extends ConsumerObserver {
  counts: Record<RecordOutcome, number>;
  total(): number;
  /** Resolves when total() reaches n; rejects after timeoutMs. */
  reach(n: number, timeoutMs: number): Promise<void>;
}

export function createTally(): Tally {
  const counts: Record<RecordOutcome, number> = { applied: 0, duplicate: 0, parked: 0, dead_lettered: 0 };
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let total = 0;
  let infra = 0;
  let firstError: unknown;
  return {
    counts,
    total: () => total,
    record(outcome) {
      counts[outcome] += 1;
      total += 1;
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && total >= w.n) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
    },
    infraError(err) {
      infra += 1;
      firstError ??= err;
    },
    reach(n, timeoutMs) {
      if (total >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const first = firstError instanceof Error ? `; first: ${firstError.message}` : '';
          reject(new Error(`only ${total} of ${n} records finished after ${timeoutMs} ms (${infra} infrastructure errors${first})`));
        }, timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** Waits until cond() holds, checking every 25 ms (a condition, not a fixed sleep). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

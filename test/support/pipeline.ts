// The pipeline as src/service.ts builds it (buildOrderService + buildPipeline, the same builders),
// without HTTP, cron or live settings unless asked, for tests and the benchmark probe that reach
// inside it: wrap the order service or the processor, read the scheduler and the gate.
import type { Kafka } from 'kafkajs';
import type { ChangeNotifier } from '../../src/changes/append';
import type { Pool } from '../../src/db/pool';
import { createTeardown } from '../../src/lifecycle/teardown';
import { silentLogger, type Logger } from '../../src/log';
import { buildOrderService, type OrderServiceOptions } from '../../src/order-service/build';
import type { LimitedGate } from '../../src/order-service/limiter';
import type { BreakingOrderSource } from '../../src/order-service/breaker';
import { buildPipeline, type PipelineOptions } from '../../src/pipeline/build';
import type { ConsumerObserver, OrderConsumer } from '../../src/pipeline/consumer';
import type { KeyedScheduler } from '../../src/pipeline/keyed-scheduler';
import { retryPolicy } from '../../src/retry/build';
import type { SettingsSource } from '../../src/settings/bind';
import { testConfig, testWork } from './features';

export interface PipelineLimits {
  processingConcurrency: number;
  orderServiceMaxConcurrent: number;
  orderServiceMaxPerSecond: number;
}

export interface TestPipelineOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  env: string;
  pool: Pool;
  orderServiceUrl: string;
  limits: PipelineLimits;
  observer?: ConsumerObserver;
  notifier?: ChangeNotifier;
  /** Live settings bound to the scheduler and the gate (as the service binds them). */
  settings?: SettingsSource;
  wrapClient?: OrderServiceOptions['wrapClient'];
  wrapProcessor?: PipelineOptions['wrapProcessor'];
  log?: Logger;
  /** Default 30 s (KAFKA_SESSION_TIMEOUT_MS's default). */
  sessionTimeoutMs?: number;
  /** Called once built, before it consumes (to listen to the kafkajs consumer's events, sample the gate). */
  beforeStart?: (built: Omit<TestPipeline, 'close'>) => void;
}

export interface TestPipeline {
  scheduler: KeyedScheduler;
  gate: LimitedGate;
  /** The breaker over the client: what the retry job of the same service would read through. */
  orders: BreakingOrderSource;
  consumer: OrderConsumer;
  /** Runs the teardown the builders registered. */
  close(): Promise<void>;
}

/** Builds the pipeline and starts consuming from the topic's beginning. */
export async function startTestPipeline(o: TestPipelineOptions): Promise<TestPipeline> {
  const log = o.log ?? silentLogger;
  const teardown = createTeardown(log);
  // the test environment's configuration (RETRY_BACKOFF_BASE_MS=200) and the unit of work with
  // the stats recorder, as the service has them
  const config = testConfig();
  const { work, zones } = testWork(o.pool, o.notifier, config);
  // 5 s per call rather than ORDER_SERVICE_TIMEOUT_MS's 2 s default: these tests load the shared
  // 2-core machine on purpose, and a timeout would park an event the test expects applied.
  const orderService = buildOrderService({
    url: o.orderServiceUrl,
    timeoutMs: 5000,
    limits: o.limits,
    wrapClient: o.wrapClient,
  });
  const pipeline = buildPipeline({
    kafka: o.kafka,
    consumer: { topic: o.topic, groupId: o.groupId, fromBeginning: true, sessionTimeoutMs: o.sessionTimeoutMs ?? 30_000 },
    env: o.env,
    pool: o.pool,
    orderService,
    work,
    zones,
    processingConcurrency: o.limits.processingConcurrency,
    retry: retryPolicy(config.retry),
    settings: o.settings,
    log,
    teardown,
    observers: { consumer: o.observer },
    wrapProcessor: o.wrapProcessor,
  });
  const built = { ...pipeline, ...orderService };
  o.beforeStart?.(built);
  try {
    await pipeline.start();
  } catch (err) {
    await teardown.close();
    throw err;
  }
  return { ...built, close: () => teardown.close() };
}

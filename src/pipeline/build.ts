// The pipeline's builder, the one way to put it together: `npm start` (src/service.ts), the
// integration tests and the benchmark probe all call it, with their differences passed as options.
// It builds the keyed scheduler, the event processor, the Kafka consumer over the order-service
// access it is handed and the replayer of dead letters over the same path (./record-path.ts), binds
// the live settings to the scheduler and the gate, and registers its teardown. start() is separate
// because the root starts consuming last, once HTTP listens.
import type { Kafka } from 'kafkajs';
import type { UnitOfWork } from '../changes/unit-of-work';
import { DEFAULT_METADATA_MAX_AGE_MS, type Config } from '../config';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import type { MerchantZones } from '../merchant-settings/zones';
import type { OrderServiceAccess } from '../order-service/build';
import { openStartPositions } from '../offsets/positions';
import { bindSettings, type SettingsSource, type ShareSource } from '../settings/bind';
import { createOrderConsumer, type ConsumerObserver, type OrderConsumer } from './consumer';
import { createKeyedScheduler, type KeyedScheduler } from './keyed-scheduler';
import { createEventProcessor, parkFailedEvent, type EventInput, type EventProcessor, type GroupObserver, type ProcessDeps } from './process-event';
import { createReplayer, type RecordReplayer } from './replay';
import { storeDeadLetter, type DeadLetter } from './sql/dead-letter';

export interface PipelineOptions {
  kafka: Kafka;
  /** Topic, group, where a new group starts, session timeout, metadata age (KAFKA_* settings). */
  consumer: Pick<Config['kafka'], 'topic' | 'groupId' | 'fromBeginning' | 'sessionTimeoutMs'> & Partial<Pick<Config['kafka'], 'metadataMaxAgeMs'>>;
  /** KDS_ENV: records with another `env` header are dead-lettered. */
  env: string;
  pool: Pool;
  orderService: OrderServiceAccess;
  /** Commits every change screens see, then tells the push hub. */
  work: UnitOfWork;
  /** Events in flight at first; `settings` moves it later. */
  processingConcurrency: number;
  /** Attempts and backoff of the retry table for events parked on arrival (RETRY_* settings). */
  retry: ProcessDeps['retry'];
  /** Live settings: applied to the scheduler and the gate now and on every change. */
  settings?: SettingsSource;
  /** This instance's place in the cluster: the gate gets its share of the caps (docs/scaling.md). */
  shares?: ShareSource;
  log: Logger;
  teardown: Teardown;
  observers?: { consumer?: ConsumerObserver; groups?: GroupObserver };
  /** Merchants' time zones, for ticket numbers and local days (default: every merchant in UTC). */
  zones?: MerchantZones;
  /** Decorates the processor (the ordering test watches every event start and finish with it). */
  wrapProcessor?: (p: EventProcessor) => EventProcessor;
}

export interface Pipeline {
  readonly scheduler: KeyedScheduler;
  readonly consumer: OrderConsumer;
  /** Runs a stored record (a dead letter) through the consumer's path again, now. */
  readonly replay: RecordReplayer;
  /** Joins the group and consumes; its teardown is registered first, so a failed start still disconnects. */
  start(): Promise<void>;
}

export function buildPipeline(o: PipelineOptions): Pipeline {
  const { orders, gate } = o.orderService;
  const scheduler = createKeyedScheduler(o.processingConcurrency);
  if (o.settings !== undefined) o.teardown.add('live settings binding', bindSettings(o.settings, { scheduler, gate }, o.shares));
  const processor = createEventProcessor({
    pool: o.pool,
    orders,
    work: o.work,
    retry: o.retry,
    groups: o.observers?.groups,
    zones: o.zones,
  });
  const recordPath = {
    process: o.wrapProcessor ? o.wrapProcessor(processor) : processor,
    parkFailed: (input: EventInput, err: unknown) => parkFailedEvent(o.work, input, err, { ...o.retry, now: new Date() }),
    deadLetter: (d: DeadLetter) => storeDeadLetter(o.pool, d),
    log: o.log.child({ component: 'consumer' }),
  };
  const consumer = createOrderConsumer({
    ...recordPath,
    kafka: o.kafka,
    topic: o.consumer.topic,
    groupId: o.consumer.groupId,
    env: o.env,
    sessionTimeoutMs: o.consumer.sessionTimeoutMs,
    metadataMaxAgeMs: o.consumer.metadataMaxAgeMs ?? DEFAULT_METADATA_MAX_AGE_MS,
    openPositions: () => openStartPositions({
      kafka: o.kafka, pool: o.pool, topic: o.consumer.topic, groupId: o.consumer.groupId,
      fromBeginning: o.consumer.fromBeginning, log: o.log.child({ component: 'consumer' }),
    }),
    scheduler,
    observer: o.observers?.consumer,
  });
  return {
    scheduler,
    consumer,
    replay: createReplayer({ ...recordPath, env: o.env, scheduler, log: o.log.child({ component: 'replay' }) }),
    async start() {
      o.teardown.add('kafka consumer', () => consumer.stop());
      await consumer.start();
    },
  };
}

// The Kafka consumer of order events. Each fetched batch is spread over the keyed scheduler (more
// parallelism than partitions, one order's events strictly in order); only the contiguous prefix
// of finished records is resolved, so kafkajs commits exactly what is applied, dead-lettered or
// parked (design note 3). kafkajs refetches from the last resolved offset, so a record abandoned
// on shutdown or rebalance is delivered again, never skipped.
import { createRequire } from 'node:module';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { decodeRecord, type Decoded } from '../events/decode';
import type { Logger } from '../log';
import type { KeyedScheduler } from './keyed-scheduler';
import type { EventProcessor, Outcome } from './process-event';
import type { DeadLetter } from './sql/dead-letter';

export type RecordOutcome = Outcome | 'dead_lettered';

/** What the consumer reports; metrics implement it. */
export interface ConsumerObserver {
  record(outcome: RecordOutcome, info: { partition: number; occurredAt?: string; reason?: string }): void;
  infraError(err: unknown): void;
}

export interface OrderConsumerDeps {
  kafka: Kafka;
  topic: string;
  groupId: string;
  env: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  process: EventProcessor;
  deadLetter: (d: DeadLetter) => Promise<void>;
  scheduler: KeyedScheduler;
  log: Logger;
  observer?: ConsumerObserver;
}

export interface OrderConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  isConnected(): boolean;
  /** The kafkajs consumer, for lag metrics (offsets) and pause/resume. */
  readonly consumer: Consumer;
}

class Abandoned extends Error {}

/**
 * kafkajs 2.2.4 idle CPU burn (tulios/kafkajs#1556, #1704): every broker connection's request
 * queue re-arms a 1 ms setTimeout for ever once it has answered one request, even with nothing
 * pending. Measured on this stack (idle consumer, 4 partitions, 20 s, process.cpuUsage): 5.0-5.2 %
 * of a core with maxWaitTimeInMs 1000 or 5000 alike (fetch settings do not touch it); 0.8-1.3 %
 * with this guard. It skips the re-arm only when nothing is pending and no broker throttle is in
 * force (the fix proposed in tulios/kafkajs#1768); a push() with pending work still schedules.
 */
function quietIdleRequestQueues(): void {
  const load = createRequire(__filename);
  const mod: unknown = load('kafkajs/src/network/requestQueue');
  type Queue = { pending: unknown[]; throttledUntil: number; scheduleCheckPendingRequests: (this: Queue) => void; __kdsQuiet?: true };
  const proto = (mod as { prototype?: Queue }).prototype;
  if (proto === undefined || typeof proto.scheduleCheckPendingRequests !== 'function' || proto.__kdsQuiet) return;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: Queue): void {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) return;
    original.call(this);
  };
  proto.__kdsQuiet = true;
}

function headersOf(m: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

export function createOrderConsumer(deps: OrderConsumerDeps): OrderConsumer {
  quietIdleRequestQueues();
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(deps.sessionTimeoutMs / 10)),
    maxBytesPerPartition: 512 * 1024,
    maxWaitTimeInMs: 1_000,
    retry: { retries: 10, restartOnFailure: () => Promise.resolve(true) },
  });
  let connected = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    connected = true;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    connected = false;
    deps.log.error('kafka consumer crashed; kafkajs restarts it', { err: e.payload.error });
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    connected = false;
  });

  /**
   * Database or other infrastructure failure: retry the same record in place (the partition
   * waits, which is right when the database is down for everyone), until shutdown or rebalance.
   */
  async function withInfraRetry<T>(p: EachBatchPayload, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (!p.isRunning() || p.isStale()) throw new Abandoned();
      try {
        return await fn();
      } catch (err) {
        deps.observer?.infraError(err);
        deps.log.warn('record failed on infrastructure; retrying in place', { err, attempt });
        await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
      }
    }
  }

  async function handle(p: EachBatchPayload, m: KafkaMessage, decoded: Decoded): Promise<void> {
    const { topic, partition } = p.batch;
    const source = `${topic}/${partition}@${m.offset}`;
    if (!decoded.ok) {
      await withInfraRetry(p, () =>
        deps.deadLetter({
          topic, partition, offset: m.offset, key: m.key, value: m.value,
          headers: headersOf(m), reason: decoded.reason, detail: decoded.detail,
        }),
      );
      deps.log.warn('record dead-lettered', { source, reason: decoded.reason, detail: decoded.detail });
      deps.observer?.record('dead_lettered', { partition, reason: decoded.reason });
      return;
    }
    const raw = (m.value as Buffer).toString('utf8');
    const outcome = await withInfraRetry(p, () => deps.process({ event: decoded.event, raw, source }));
    deps.observer?.record(outcome, { partition, occurredAt: decoded.event.occurredAt });
  }

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    const msgs = p.batch.messages;
    const done: boolean[] = msgs.map(() => false);
    let prefix = 0;
    const advance = (): void => {
      while (prefix < msgs.length && done[prefix] === true) {
        p.resolveOffset((msgs[prefix] as KafkaMessage).offset);
        prefix += 1;
      }
    };
    // Slow order-service calls must not cost the group membership, and a long batch (a backlog
    // fills 512 KiB per partition) commits its finished prefix as it goes, not only at its end.
    const beat = setInterval(() => {
      p.heartbeat()
        .then(() => p.commitOffsetsIfNecessary())
        .catch((err: unknown) => deps.log.warn('heartbeat or commit failed', { err }));
    }, 1_000);
    try {
      const tasks = msgs.map((m, i) => {
        const decoded = decodeRecord({ key: m.key, value: m.value, headers: m.headers ?? {} }, deps.env);
        // Records that cannot be decoded get a key of their own: they never wait for an order.
        const key = decoded.ok ? decoded.event.orderId : `\u0000${p.batch.partition}:${m.offset}`;
        return deps.scheduler.submit(key, async () => {
          if (!p.isRunning() || p.isStale()) throw new Abandoned();
          await handle(p, m, decoded);
          done[i] = true;
          advance();
        });
      });
      const results = await Promise.allSettled(tasks);
      const unexpected = results.find((r) => r.status === 'rejected' && !(r.reason instanceof Abandoned));
      if (unexpected?.status === 'rejected') deps.log.error('record handler failed', { err: unexpected.reason });
    } finally {
      clearInterval(beat);
    }
    await p.commitOffsetsIfNecessary();
  }

  return {
    consumer,
    async start() {
      // kafkajs would crash later in a metadata refresh with an unhandled protocol error; say it
      // plainly instead. The order team owns the topic: KDS never creates it.
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        if (!(await admin.listTopics()).includes(deps.topic)) {
          throw new Error(`Kafka topic "${deps.topic}" does not exist; check KAFKA_ORDER_TOPIC and KAFKA_BROKERS`);
        }
      } finally {
        await admin.disconnect();
      }
      await consumer.connect();
      await consumer.subscribe({ topic: deps.topic, fromBeginning: deps.fromBeginning });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        autoCommitInterval: 1_000,
        partitionsConsumedConcurrently: 64,
        eachBatch,
      });
    },
    async stop() {
      await consumer.disconnect();
      connected = false;
    },
    isConnected: () => connected,
  };
}

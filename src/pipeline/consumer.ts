// The Kafka consumer of order events. Each fetched batch is spread over the keyed scheduler (more
// parallelism than partitions, one order's events strictly in order); only the contiguous prefix
// of finished records is resolved, so kafkajs commits exactly what is applied, dead-lettered or
// parked. kafkajs refetches from the last resolved offset, so a record abandoned
// on shutdown or rebalance is delivered again, never skipped.
//
// Where a partition is read from (docs/operations.md): kafkajs reads a partition that has no
// committed offset from its earliest record (fromBeginning, whatever KAFKA_FROM_BEGINNING says),
// so a member that dies before its first commit, or a partition added later, never skips to
// "latest". On the first batch of each partition after each assignment the group's committed
// offset is checked (src/offsets/enter.ts); when there is none, records below the group's first-start
// floor are resolved unhandled and the floor is committed at once, so every later owner resumes
// there.
import { createRequire } from 'node:module';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { errorKind } from '../errors';
import { decodeRecord, type Decoded } from '../events/decode';
import type { Logger } from '../log';
import type { KeyedScheduler } from './keyed-scheduler';
import type { EventInput, EventProcessor, Outcome } from './process-event';
import { enterAtFloor } from '../offsets/enter';
import type { StartPositions } from '../offsets/positions';
import { Abandoned, runRecord, type RecordOutcome } from './record-path';
import type { DeadLetter } from './sql/dead-letter';

export type { RecordOutcome };

/**
 * Why the group's position of a partition was set by rule rather than by its own commits:
 * `no_commit` the partition had none (a new group, a partition added, a first owner that died
 * before committing) and started at the group's first start; `out_of_range` its committed offset
 * was no longer in the log (retention passed it while the group was away) and it resumed at the
 * earliest record still there (what kafkajs does with fromBeginning).
 */
export type OffsetResetReason = 'no_commit' | 'out_of_range';

/** What the consumer reports; metrics implement it. */
export interface ConsumerObserver {
  record(outcome: RecordOutcome, info: { partition: number; occurredAt?: string; reason?: string }): void;
  infraError(err: unknown): void;
  offsetReset?(reason: OffsetResetReason, info: { partition: number }): void;
}

/**
 * How many times a record whose handling fails with an unclassified error (a bug) is tried again
 * in place before it is set aside. A bug that hits one record must not stall its partition for
 * ever; one that hits every record still leaves each of them kept, not lost (see parkFailed).
 */
export const BUG_ATTEMPTS = 3;

/** A partition counts as stalled when it has records in hand and has not advanced for this long. */
export const STALL_AFTER_MS = 120_000;

export interface OrderConsumerDeps {
  kafka: Kafka;
  topic: string;
  groupId: string;
  env: string;
  sessionTimeoutMs: number;
  /**
   * How often kafkajs re-reads the topic's partitions (KAFKA_METADATA_MAX_AGE_MS). A partition
   * added to the topic is consumed only once the group leader has seen it and rebalanced: kafkajs
   * checks for new partitions on each fetch against metadata at most this old (consumerGroup
   * checkForStaleAssignment), and its default, 5 minutes, left added partitions unread that long.
   */
  metadataMaxAgeMs: number;
  /** Opened by start() once the topic is known to exist (records the group's first start). */
  openPositions: () => Promise<StartPositions>;
  process: EventProcessor;
  /**
   * Sets aside an event that keeps failing with a bug: parked as a FAILED head of its order's queue
   * (mailed; replayable after a fix), so the order waits and nothing else does.
   */
  parkFailed: (input: EventInput, err: unknown) => Promise<Outcome>;
  deadLetter: (d: DeadLetter) => Promise<void>;
  scheduler: KeyedScheduler;
  log: Logger;
  observer?: ConsumerObserver;
}

export interface OrderConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  isConnected(): boolean;
  /** Partitions with records in hand that have not advanced for STALL_AFTER_MS. */
  stalledPartitions(): number[];
  /** The kafkajs consumer, for lag metrics (offsets) and pause/resume. */
  readonly consumer: Consumer;
}

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
    metadataMaxAge: deps.metadataMaxAgeMs,
    retry: { retries: 10, restartOnFailure: () => Promise.resolve(true) },
  });
  let connected = false;
  /** Partitions whose committed offset was checked since the last assignment (see enter). */
  const entered = new Set<number>();
  let positions: StartPositions | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    connected = true;
    entered.clear();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    connected = false;
    deps.log.error('kafka consumer crashed; kafkajs restarts it', { err: e.payload.error });
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    connected = false;
  });

  /**
   * Runs a record's step until it succeeds, deciding from the error's kind (src/errors.ts):
   * infrastructure (database down) → the same record again in place, with a backoff capped at 10 s,
   * until it works or shutdown/rebalance: the partition waits, which is right when the database is
   * down for everyone; a bug → at most BUG_ATTEMPTS tries, then thrown; permanent → thrown at once.
   */
  async function withRetry<T>(p: EachBatchPayload, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0, bugs = 0; ; attempt++) {
      if (!p.isRunning() || p.isStale()) throw new Abandoned();
      try {
        return await fn();
      } catch (err) {
        const kind = errorKind(err);
        if (kind === 'permanent' || kind === 'retriable') throw err;
        if (kind === 'bug' && ++bugs >= BUG_ATTEMPTS) throw err;
        deps.observer?.infraError(err);
        deps.log.warn(kind === 'bug' ? 'record failed unexpectedly; retrying in place' : 'record failed on infrastructure; retrying in place', { err, attempt });
        await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
      }
    }
  }

  async function handle(p: EachBatchPayload, m: KafkaMessage, decoded: Decoded): Promise<void> {
    const { topic, partition } = p.batch;
    const rec = { topic, partition, offset: m.offset, key: m.key, value: m.value, headers: headersOf(m) };
    const result = await runRecord(deps, rec, decoded, (fn) => withRetry(p, fn));
    if (result.outcome === 'dead_lettered') deps.observer?.record('dead_lettered', { partition, reason: result.reason });
    else deps.observer?.record(result.outcome, { partition, occurredAt: decoded.ok ? decoded.event.occurredAt : undefined });
  }

  /** The batch's records to handle: a partition's first batch after an assignment meets the floor. */
  async function enter(p: EachBatchPayload): Promise<readonly KafkaMessage[] | undefined> {
    const { partition, messages } = p.batch;
    if (entered.has(partition)) return messages;
    if (positions === undefined) return undefined;
    const msgs = await enterAtFloor(p, positions, { log: deps.log, onFloor: () => deps.observer?.offsetReset?.('no_commit', { partition }) });
    if (msgs !== undefined) entered.add(partition);
    return msgs;
  }

  /** partition → when its current batch last advanced; absent while it has nothing in hand */
  const progress = new Map<number, number>();

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    // a few milliseconds of admin calls on a partition's first batch after an assignment
    const msgs = await enter(p);
    if (msgs === undefined) return;
    const done: boolean[] = msgs.map(() => false);
    let prefix = 0;
    const { partition } = p.batch;
    progress.set(partition, Date.now());
    const advance = (): void => {
      const before = prefix;
      while (prefix < msgs.length && done[prefix] === true) {
        p.resolveOffset((msgs[prefix] as KafkaMessage).offset);
        prefix += 1;
      }
      if (prefix > before) progress.set(partition, Date.now());
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
      progress.delete(partition);
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
      positions = await deps.openPositions();
      await consumer.connect();
      // Never latest: a partition without a committed offset is read from its earliest record and
      // entered at the group's floor (enter above); an offset out of range resumes at the earliest.
      await consumer.subscribe({ topic: deps.topic, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        autoCommitInterval: 1_000,
        partitionsConsumedConcurrently: 64,
        eachBatch,
      });
    },
    async stop() {
      try {
        await consumer.disconnect();
      } finally {
        connected = false;
        await positions?.close();
        positions = undefined;
      }
    },
    isConnected: () => connected,
    stalledPartitions() {
      const now = Date.now();
      return [...progress].filter(([, at]) => now - at >= STALL_AFTER_MS).map(([partition]) => partition).sort((a, b) => a - b);
    },
  };
}

// Traffic generator: for every step, first the order body goes to the order-service simulator,
// then the event goes to Kafka, so a consumer that reads the order after the event can find it
// (unless a replica-lag switch says otherwise, which is the point of those switches).
import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { mulberry32, type Random } from './prng';
import { eventRecord, faultRecords, mixIn, type InjectedRecord, type OutRecord } from './records';
import { expectations, type OrderExpectation } from './scenario';
import type { OrderBody, Step } from './types';

export type { InjectedRecord, FaultKind } from './records';
export type { OrderExpectation } from './scenario';

/** Where order bodies are written before their events are published. */
export interface OrderWriter {
  putOrders(bodies: readonly OrderBody[]): Promise<void>;
}

export type TrafficMode =
  /** Every step as fast as possible, in batches. */
  | { kind: 'burst' }
  /** A steady number of records per second until the steps run out or durationMs has passed. */
  | { kind: 'rate'; perSecond: number; durationMs?: number };

export interface TrafficOptions {
  /** Connected by the caller, who also disconnects it. */
  producer: Producer;
  writer: OrderWriter;
  topic: string;
  /** Value of the `env` header. */
  env: string;
  /** Usually generateTraffic(...). */
  steps: readonly Step[];
  mode: TrafficMode;
  gzip?: boolean;
  /** Records per producer.send (and per bulk write). Default 500. */
  batchSize?: number;
  malformed?: number;
  wrongEnv?: number;
  /** Order-id prefix of injected faults. Default "BAD-". */
  faultIdPrefix?: string;
  /** Seed for where faults land in the stream. Default 1. */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (records: number) => void;
}

export interface TrafficResult {
  topic: string;
  /** Well-formed events published. */
  events: number;
  injected: InjectedRecord[];
  /** All records published (events + injected). */
  records: number;
  durationMs: number;
  recordsPerSecond: number;
  /** Final state per order over the events actually published. */
  orders: Map<string, OrderExpectation>;
}

interface Sender {
  write(batch: readonly OutRecord[]): Promise<void>;
  send(batch: readonly OutRecord[]): Promise<void>;
}

function makeSender(opts: TrafficOptions): Sender {
  const compression = opts.gzip === true ? CompressionTypes.GZIP : CompressionTypes.None;
  return {
    async write(batch) {
      const bodies: OrderBody[] = [];
      for (const r of batch) if (r.step !== undefined) bodies.push(r.step.order);
      if (bodies.length > 0) await opts.writer.putOrders(bodies);
    },
    async send(batch) {
      const messages: Message[] = batch.map((r) => ({ key: r.key, value: r.value, headers: { env: r.env } }));
      await opts.producer.send({ topic: opts.topic, messages, acks: -1, compression });
    },
  };
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function burst(records: readonly OutRecord[], size: number, s: Sender, opts: TrafficOptions, sent: (n: number) => void): Promise<void> {
  const batches = chunks(records, size);
  // Writing batch n+1 to the simulator overlaps with publishing batch n; every body is still
  // written before its own event. Sends stay sequential: that keeps per-key order in Kafka.
  let writing: Promise<void> | undefined = batches[0] === undefined ? undefined : s.write(batches[0]);
  try {
    for (const [i, batch] of batches.entries()) {
      await writing;
      const next = batches[i + 1];
      writing = next === undefined ? undefined : s.write(next);
      if (opts.signal?.aborted === true) return;
      await s.send(batch);
      sent(batch.length);
    }
  } finally {
    writing?.catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function steady(records: readonly OutRecord[], size: number, s: Sender, opts: TrafficOptions, perSecond: number, durationMs: number | undefined, sent: (n: number) => void): Promise<void> {
  if (!(perSecond > 0)) throw new Error(`rate must be > 0, got ${perSecond}`);
  const start = performance.now();
  let done = 0;
  while (done < records.length && opts.signal?.aborted !== true) {
    const elapsed = performance.now() - start;
    if (durationMs !== undefined && elapsed >= durationMs) return;
    // Due count from the start time, not from the last tick, so slow sends don't drift the rate.
    const due = Math.min(records.length, Math.floor((elapsed * perSecond) / 1000) + 1);
    if (due > done) {
      const batch = records.slice(done, Math.min(due, done + size));
      await s.write(batch);
      await s.send(batch);
      done += batch.length;
      sent(batch.length);
      continue;
    }
    await sleep(Math.max(1, start + (done * 1000) / perSecond - performance.now()));
  }
}

export async function runTraffic(opts: TrafficOptions): Promise<TrafficResult> {
  const size = Math.max(1, opts.batchSize ?? 500);
  const random: Random = mulberry32(opts.seed ?? 1);
  const occurredAt = opts.steps[0]?.event.occurredAt ?? new Date().toISOString();
  const injected = faultRecords(
    { malformed: opts.malformed ?? 0, wrongEnv: opts.wrongEnv ?? 0, env: opts.env, idPrefix: opts.faultIdPrefix ?? 'BAD-', occurredAt },
    random,
  );
  const records = mixIn(opts.steps.map((st) => eventRecord(st, opts.env)), injected, random);
  const sender = makeSender(opts);
  let count = 0;
  const sent = (n: number): void => {
    count += n;
    opts.onProgress?.(count);
  };
  const start = performance.now();
  if (opts.mode.kind === 'burst') await burst(records, size, sender, opts, sent);
  else await steady(records, size, sender, opts, opts.mode.perSecond, opts.mode.durationMs, sent);
  const durationMs = performance.now() - start;

  const published = records.slice(0, count);
  const steps: Step[] = [];
  for (const r of published) if (r.step !== undefined) steps.push(r.step);
  const injectedKeys = new Set(published.filter((r) => r.step === undefined).map((r) => `${r.key}\u0000${r.value}`));
  return {
    topic: opts.topic,
    events: steps.length,
    injected: injected.filter((f) => injectedKeys.has(`${f.key}\u0000${f.value}`)),
    records: count,
    durationMs,
    recordsPerSecond: durationMs > 0 ? (count * 1000) / durationMs : count,
    orders: expectations(steps),
  };
}

// Endless order traffic for the demo: batches of generated orders published at a steady rate,
// each batch generated afresh (new id prefix, new seed) so runs and batches never collide.
//
// The scenario spaces its timestamps minutes apart (a real lifecycle: paid, completed…), but the
// demo publishes an order's steps within seconds. Boards show the last 3 days and screens run
// timers from placedAt, so every step is re-stamped with the time it is due to be published.
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '../../src/log';
import { inProcessWriter } from '../../simulator/admin-client';
import type { OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic, type Step } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';

/** ~4.3 events per generated order (scenario.ts); used to size a batch to about a minute. */
const EVENTS_PER_ORDER = 4.3;
const BATCH_SECONDS = 60;
/** Orders open at once: small, so an order's steps arrive within a few seconds of each other. */
const WINDOW = 8;

export interface TrafficLoopOptions {
  kafka: Kafka;
  sim: OrderServiceSimulator;
  topic: string;
  env: string;
  rate: number;
  merchants: number;
  /**
   * Share of orders read through a replica lagging `replicaLagMs` behind writes. The KDS reads an
   * order tens of ms after its event is sent, so a lag on every order would park nearly every
   * event; on a share of them it shows the retry path next to the normal one.
   */
  laggyShare: number;
  replicaLagMs: number;
  log: Logger;
}

export interface TrafficCounts {
  batches: number;
  /** Records published so far, injected faults included (live, not only at batch ends). */
  records: number;
}

export interface TrafficLoop {
  /** An order of `merchant` from the first batch (for the guest link), if it has one. */
  sampleOrder(merchant: string): string | undefined;
  counts(): TrafficCounts;
  stop(): Promise<void>;
}

/** Copies of the steps with occurredAt/updatedAt = due publish time, placedAt = its first step's. */
export function retime(steps: readonly Step[], startMs: number, perSecond: number): Step[] {
  const placed = new Map<string, string>();
  return steps.map((s, i) => {
    const at = new Date(startMs + Math.floor((i * 1000) / perSecond)).toISOString();
    const placedAt = placed.get(s.order.orderId) ?? at;
    placed.set(s.order.orderId, placedAt);
    return {
      event: { ...s.event, occurredAt: at },
      order: { ...s.order, placedAt, updatedAt: at, items: s.order.items.map((it) => ({ ...it })) },
    };
  });
}

function batchSteps(n: number, opts: TrafficLoopOptions): { steps: Step[]; prefix: string } {
  const prefix = `D${randomBytes(3).toString('hex')}-`;
  const orders = Math.max(5, Math.ceil((opts.rate * BATCH_SECONDS) / EVENTS_PER_ORDER));
  const seed = (Date.now() + n) >>> 0;
  const steps = generateTraffic({ orders, seed, merchants: opts.merchants, idPrefix: prefix, window: WINDOW });
  return { steps: retime(steps, Date.now(), opts.rate), prefix };
}

/**
 * One ORDER_PLACED for an order the order service never learns about: the KDS parks it, retries
 * it with backoff, gives up after RETRY_MAX_ATTEMPTS (a few minutes with the demo's 2 s base) and
 * mails the failure digest. It shows the retries API (PENDING, then FAILED) and the inbox at work.
 */
async function sendGhost(producer: Producer, opts: TrafficLoopOptions, prefix: string): Promise<void> {
  const orderId = `${prefix}GHOST-1`;
  const event = {
    eventId: randomBytes(16).toString('hex'), type: 'ORDER_PLACED', orderId, merchantId: 'M0001',
    version: 1, occurredAt: new Date().toISOString(),
  };
  await producer.send({
    topic: opts.topic, acks: -1, messages: [{ key: orderId, value: JSON.stringify(event), headers: { env: opts.env } }],
  });
}

export async function startTrafficLoop(opts: TrafficLoopOptions): Promise<TrafficLoop> {
  // The Java-compatible partitioner: same key → same partition as the order system's producers.
  const producer = opts.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const abort = new AbortController();
  const counts: TrafficCounts = { batches: 0, records: 0 };
  // generated before the loop starts so the banner can link a real order of the first batch
  let next = batchSteps(0, opts);
  const first = next.steps;

  const loop = async (): Promise<void> => {
    for (let n = 0; !abort.signal.aborted; n++) {
      const { steps, prefix } = next;
      const before = counts.records;
      if (opts.replicaLagMs > 0) {
        for (const s of steps) {
          if (s.event.type === 'ORDER_PLACED' && Math.random() < opts.laggyShare) {
            opts.sim.setOrderSwitches(s.event.orderId, { replicaLagMs: opts.replicaLagMs });
          }
        }
      }
      if (n === 0) await sendGhost(producer, opts, prefix);
      // quarantine demo: one of each malformed kind and two wrong-env records at the start,
      // then one malformed record every 5th batch so a long-running demo keeps some coming
      const r = await runTraffic({
        producer, writer: inProcessWriter(opts.sim), topic: opts.topic, env: opts.env, steps,
        mode: { kind: 'rate', perSecond: opts.rate }, batchSize: 50,
        malformed: n === 0 ? 4 : n % 5 === 0 ? 1 : 0, wrongEnv: n === 0 ? 2 : 0,
        faultIdPrefix: `${prefix}BAD-`, seed: n + 1, signal: abort.signal,
        onProgress: (k) => {
          counts.records = before + k;
        },
      });
      counts.batches += 1;
      opts.log.info('demo traffic batch published', { batch: n, prefix, events: r.events, injected: r.injected.length });
      // the next batch starts at the current time: timestamps must not fall behind the clock
      if (!abort.signal.aborted) next = batchSteps(n + 1, opts);
    }
  };
  const running = loop().catch((err: unknown) => {
    opts.log.error('demo traffic stopped on an error', { err });
    process.stderr.write(`demo: traffic stopped: ${err instanceof Error ? err.message : String(err)} (see the log)\n`);
  });

  return {
    sampleOrder(merchant) {
      // a guest page is more fun for an order that is not cancelled halfway
      const cancelled = new Set(first.filter((s) => s.event.type === 'ORDER_CANCELLED').map((s) => s.event.orderId));
      return first.find((s) => s.event.merchantId === merchant && !cancelled.has(s.event.orderId))?.event.orderId;
    },
    counts: () => ({ ...counts }),
    async stop() {
      abort.abort();
      await running;
      await producer.disconnect();
    },
  };
}

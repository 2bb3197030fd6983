// Live traffic and screens for the scenarios that measure publication → screen latency under a
// steady rate (screens, history, archive): a paced publisher that records when each event was
// sent, kitchen screens that match the `order` frames they receive against it, and percentiles.
import type { Producer } from 'kafkajs';
import { signToken } from '../../src/auth/token';
import type { OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic, type InterleaveOptions, type ScenarioOptions } from '../../simulator/scenario';
import type { Step } from '../../simulator/types';
import { openScreenWith, type Screen } from './screen';
import { BENCH_ENV, KDS_SECRET } from './stack';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function summary(samples: readonly number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 10) / 10;
  return { n: s.length, p50Ms: r(percentile(s, 50)), p99Ms: r(percentile(s, 99)), maxMs: r(s[s.length - 1] ?? NaN) };
}

/** Publication times of events, keyed by orderId:version; a screen's frame closes one. */
export class LatencyBook {
  private readonly sent = new Map<string, number>();
  samples: number[] = [];
  /** Labels the samples taken from now on go to (e.g. a phase of a scenario). */
  sentAt(orderId: string, version: number, t: number): void {
    this.sent.set(`${orderId}:${version}`, t);
  }
  seen(orderId: string, version: number): void {
    const k = `${orderId}:${version}`;
    const t = this.sent.get(k);
    if (t === undefined) return;
    this.sent.delete(k);
    this.samples.push(performance.now() - t);
  }
  /** Starts a new phase: returns the samples so far and forgets them. */
  take(): number[] {
    const out = this.samples;
    this.samples = [];
    return out;
  }
}

export type { Screen } from './screen';

/** A kitchen screen of the merchant; resolves on its snapshot. `onOrder` gets every order frame. */
export function openScreen(port: number, merchantId: string, onOrder: (orderId: string, version: number) => void): Promise<Screen> {
  return openScreenWith(port, signToken({ role: 'kitchen', merchantId }, { secret: KDS_SECRET, env: BENCH_ENV }), onOrder);
}

/** Steps handed out in order, `take(n)` at a time; fewer (or none) once they run out. */
export interface StepFeed {
  take(n: number): Step[];
}

export function feedOf(steps: readonly Step[]): StepFeed {
  let at = 0;
  return {
    take(n) {
      const out = steps.slice(at, at + n);
      at += out.length;
      return out;
    },
  };
}

/**
 * Traffic generated a chunk of orders at a time (each chunk its own seed and id prefix), so a long
 * run never holds its whole stream: the archive scenario's 15 minutes at 500 events/s held ~600 MB
 * of steps, and the major GCs of that heap stalled the benchmark's own process (its screens, its
 * simulator) for 0.3-0.5 s every minute or so, which its screens then timed as live latency.
 */
export function trafficFeed(opts: Omit<ScenarioOptions, 'orders' | 'idPrefix'> & InterleaveOptions, ordersPerChunk = 3000): StepFeed {
  let chunk = 0;
  let buf: Step[] = [];
  let at = 0;
  return {
    take(n) {
      const out: Step[] = [];
      while (out.length < n) {
        if (at >= buf.length) {
          buf = generateTraffic({ ...opts, orders: ordersPerChunk, seed: (opts.seed ?? 1) + chunk * 7919, idPrefix: `c${chunk}-` });
          at = 0;
          chunk += 1;
        }
        const part = buf.slice(at, at + n - out.length);
        at += part.length;
        out.push(...part);
      }
      return out;
    },
  };
}

/**
 * Publishes from `steps` at `rate` per second (each order body written to the simulator just
 * before its event, as the order system would), until `stop()` says so or the steps run out;
 * returns how many were sent.
 */
export async function publishAtRate(
  prod: Producer, topic: string, sim: OrderServiceSimulator, steps: readonly Step[] | StepFeed, rate: number,
  book: LatencyBook, stop: () => boolean,
): Promise<number> {
  const feed = Array.isArray(steps) ? feedOf(steps) : (steps as StepFeed);
  const t0 = performance.now();
  let done = 0;
  while (!stop()) {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000) + 1;
    if (due <= done) {
      await new Promise((r) => setTimeout(r, Math.max(1, t0 + (done * 1000) / rate - performance.now())));
      continue;
    }
    const batch = feed.take(due - done);
    if (batch.length === 0) break;
    sim.putOrders(batch.map((s) => s.order));
    const now = performance.now();
    for (const s of batch) book.sentAt(s.event.orderId, s.event.version, now);
    await prod.send({
      topic,
      acks: -1,
      messages: batch.map((s) => ({ key: s.event.orderId, value: JSON.stringify(s.event), headers: { env: BENCH_ENV } })),
    });
    done += batch.length;
  }
  return done;
}

/** Runs the publisher for `seconds` (in the background) and resolves with the count sent. */
export function publishFor(
  prod: Producer, topic: string, sim: OrderServiceSimulator, steps: readonly Step[] | StepFeed, rate: number, book: LatencyBook, seconds: number,
): { done: Promise<number>; stop(): void } {
  let stopped = false;
  const end = performance.now() + seconds * 1000;
  const done = publishAtRate(prod, topic, sim, steps, rate, book, () => stopped || performance.now() > end);
  return { done, stop: () => (stopped = true) };
}

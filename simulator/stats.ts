// Call statistics of the order-service simulator: what a benchmark needs to prove the KDS caps
// its concurrency and request rate against the order service (order-service.md "Capacity").
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface SimStats {
  /** Order reads since the last reset (admin calls are not counted). */
  calls: number;
  /** By HTTP status, plus "reset" (socket destroyed) and "hang" (never answered). */
  byStatus: Record<string, number>;
  perOrder: Record<string, number>;
  inFlight: number;
  /** Most reads in flight at the same time. */
  peakConcurrency: number;
  /** Most reads that arrived within any 1-second sliding window. */
  peakRps: number;
  /** When that window ended (wall clock); null if none since the reset. Tells a test which of its steps the peak came with. */
  peakRpsAt: string | null;
  /** Reads that arrived within the last second. */
  currentRps: number;
  /** When counting started (creation or last reset). */
  since: string;
  /** When the newest read arrived (wall clock, ms precision); null if none since the reset. */
  lastArrivalAt: string | null;
  /**
   * The simulator's own worst event-loop delay since the last reset, in ms. Arrivals are stamped
   * when the loop gets to them, so a stall of this length can bunch the arrivals of that long into
   * one stamp: peakRps is exact only to about this much of a second.
   */
  maxLoopDelayMs: number;
}

export interface StatsRecorder {
  /** Counts an arriving read; call the returned function exactly once when it leaves. */
  begin(orderId: string): () => void;
  outcome(status: string): void;
  callsFor(orderId: string): number;
  snapshot(): SimStats;
  reset(): void;
}

const WINDOW_MS = 1000;

/** The event loop's delays, for SimStats.maxLoopDelayMs. */
export interface LoopDelay {
  maxMs(): number;
  reset(): void;
  stop(): void;
}

export function monitorLoopDelay(): LoopDelay {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return { maxMs: () => Math.round(h.max / 1e6), reset: () => h.reset(), stop: () => h.disable() };
}

export function createStatsRecorder(now: () => number = () => performance.now(), loop?: LoopDelay): StatsRecorder {
  let calls = 0;
  let byStatus = new Map<string, number>();
  let perOrder = new Map<string, number>();
  let inFlight = 0;
  let peakConcurrency = 0;
  let peakRps = 0;
  let since = new Date();
  let lastArrival: number | null = null; // epoch ms
  let peakAt: number | null = null; // epoch ms
  // Arrival times inside the last second, oldest at `head`. The maximum of "arrivals in
  // (t-1s, t]" over all t is reached at some arrival t, so checking at every arrival is exact.
  let arrivals: number[] = [];
  let head = 0;

  function evict(t: number): void {
    const cutoff = t - WINDOW_MS;
    while (head < arrivals.length && (arrivals[head] as number) <= cutoff) head++;
    // Compact now and then so the array does not grow for ever; amortised O(1) per arrival.
    if (head > 4096 && head * 2 > arrivals.length) {
      arrivals = arrivals.slice(head);
      head = 0;
    }
  }

  return {
    begin(orderId) {
      calls++;
      perOrder.set(orderId, (perOrder.get(orderId) ?? 0) + 1);
      inFlight++;
      if (inFlight > peakConcurrency) peakConcurrency = inFlight;
      const t = now();
      lastArrival = Date.now();
      arrivals.push(t);
      evict(t);
      const inWindow = arrivals.length - head;
      if (inWindow > peakRps) {
        peakRps = inWindow;
        peakAt = lastArrival;
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight--;
      };
    },
    outcome(status) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    callsFor: (orderId) => perOrder.get(orderId) ?? 0,
    snapshot() {
      evict(now());
      return {
        calls,
        byStatus: Object.fromEntries(byStatus),
        perOrder: Object.fromEntries(perOrder),
        inFlight,
        peakConcurrency,
        peakRps,
        peakRpsAt: peakAt === null ? null : new Date(peakAt).toISOString(),
        currentRps: arrivals.length - head,
        since: since.toISOString(),
        lastArrivalAt: lastArrival === null ? null : new Date(lastArrival).toISOString(),
        maxLoopDelayMs: loop?.maxMs() ?? 0,
      };
    },
    reset() {
      calls = 0;
      byStatus = new Map();
      perOrder = new Map();
      // Reads still in flight stay counted in inFlight, so the new peak starts there.
      peakConcurrency = inFlight;
      peakRps = 0;
      peakAt = null;
      arrivals = [];
      head = 0;
      since = new Date();
      lastArrival = null;
      loop?.reset();
    },
  };
}

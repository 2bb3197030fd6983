// Caps calls to the order service: at most `maxConcurrent` in flight and at most `maxPerSecond`
// arriving in ANY sliding one-second window, counted as RATE_WINDOW_MS says (a token bucket would
// allow 2× at a window boundary, and the order team measures per second). Both limits change at
// run time (ZooKeeper); waiting calls are started in arrival order. Why not `bottleneck`: its
// reservoir refreshes on fixed intervals (the same boundary burst), and we need exact, observable
// queue/in-flight counts.
import type { CallGate } from './client';

export interface Limits {
  maxConcurrent: number;
  maxPerSecond: number;
}

export interface LimitedGate extends CallGate {
  setLimits(limits: Partial<Limits>): void;
  limits(): Limits;
  inFlight(): number;
  queued(): number;
  /** Calls that had to wait for the rate cap (not concurrency), since start. */
  throttled(): number;
  /**
   * Resolves once no call is in flight and the newest end has left the rate window: from then
   * on nothing of ours counts in the order service's current second. Shutdown awaits it before
   * the cluster membership gives our share to the others (src/service.ts), or for a window the
   * sum of the shares in use would exceed the cap.
   */
  settled(): Promise<void>;
}

/**
 * The rate window is 1 s plus a guard. The order service counts *arrivals*, which trail our
 * admissions by a varying delay (our event loop before the request is written, the network,
 * theirs), so a call counts from its admission until a window after it *ended*: its arrival lies
 * between the two, so any second of the order service's holds only calls that this gate counted
 * together, however late each was sent. Counting from the admission alone let a stall between
 * admission and write bunch a second and a half of calls into one: CI saw 156 against a cap of
 * 150 twice (a join of tsx-started instances on 2 busy cores), with the simulator's own loop
 * never late by more than the guard. The guard covers a clock's coarseness; it costs ~9 % of the
 * sustained rate (a cap of 200 gives ~182/s): the cap is a promise to the order team, the rate is
 * not.
 */
export const RATE_WINDOW_MS = 1100;

export function createCallGate(
  initial: Limits,
  now: () => number = () => performance.now(),
  windowMs: number = RATE_WINDOW_MS,
): LimitedGate {
  let limits: Limits = { ...initial };
  let inFlight = 0;
  let throttled = 0;
  // End times of the calls that ended within the last window, oldest first. A call in flight
  // counts too: its request may reach the order service at any moment until it ends.
  const ends: number[] = [];
  const queue: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;

  const pump = (): void => {
    while (queue.length > 0 && inFlight < limits.maxConcurrent) {
      // A share of 0 per second (more instances than the cap, docs/scaling.md): wait for
      // setLimits, which pumps again; no timer, nothing counted as throttled.
      if (limits.maxPerSecond <= 0) return;
      const t = now();
      while (ends.length > 0 && (ends[0] as number) <= t - windowMs) ends.shift();
      if (inFlight + ends.length >= limits.maxPerSecond) {
        throttled += 1;
        // With none ended in the window, a call's end pumps again (run's finally).
        if (timer === undefined && ends.length > 0) {
          const wait = Math.max(1, (ends[0] as number) + windowMs - t);
          timer = setTimeout(() => {
            timer = undefined;
            pump();
          }, wait);
        }
        return;
      }
      inFlight += 1;
      (queue.shift() as () => void)();
    }
  };

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await new Promise<void>((resolve) => {
        queue.push(resolve);
        pump();
      });
      try {
        return await fn();
      } finally {
        inFlight -= 1;
        ends.push(now());
        pump();
      }
    },
    setLimits(next) {
      limits = { ...limits, ...next };
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      pump();
    },
    limits: () => ({ ...limits }),
    inFlight: () => inFlight,
    queued: () => queue.length,
    throttled: () => throttled,
    async settled() {
      for (;;) {
        const newest = ends.at(-1);
        const wait = inFlight > 0 ? 20 : newest === undefined ? 0 : newest + windowMs - now();
        if (wait <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
      }
    },
  };
}

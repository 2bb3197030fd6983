// Outage awareness (design note 5): when calls fail across all orders, the order service is down
// for everyone. Then every further call only burns retry attempts and adds load to a struggling
// service, so the breaker opens: calls fail fast with RetriableError('outage') (the consumer parks
// the event as a queue head; the retry job defers it without spending an attempt), except one probe
// call every `probeIntervalMs`; a probe the service answers closes it.
//
// Only infrastructure failures count (5xx, timeout, connection, 429). A 404 or a stale answer is
// one order's replica lag, and a contract break is one order's bad data: the service answered, so
// those count as healthy calls.
//
// Why not `opossum`: its rolling window counts every rejection as a failure, it has no notion of
// "this error does not count", and its half-open state lets through whichever call comes first
// instead of one probe per interval. The machine below is 60 lines, pure and table-tested.
import { describeError, PermanentError, RetriableError, type RetriableCode } from '../errors';
import type { OrderDetails } from './details';
import type { OrderSource } from './client';

export interface BreakerOptions {
  /** Length of the rolling window of outcomes. */
  windowMs: number;
  /** No verdict on fewer calls than this in the window (a handful of errors is not an outage). */
  minCalls: number;
  /** Share of failed calls in the window at which the breaker opens, 0..1. */
  failureRatio: number;
  /** While open, one real call (a probe) is let through this often. */
  probeIntervalMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  windowMs: 10_000,
  minCalls: 20,
  failureRatio: 0.8,
  probeIntervalMs: 5_000,
});

// ---- pure state machine ------------------------------------------------------------------------

/** The window is kept as 10 buckets, so a busy service costs 10 counters, not one entry per call. */
const BUCKETS = 10;

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

export type BreakerState =
  | { mode: 'closed'; buckets: readonly Bucket[] }
  | {
      mode: 'open';
      since: number;
      /** The window that opened it. */
      calls: number;
      failures: number;
      lastError: string;
      probing: boolean;
      lastProbeAt: number;
      /** Calls failed fast (not made) and probes made since it opened. */
      rejected: number;
      probes: number;
    };

export const CLOSED: BreakerState = Object.freeze({ mode: 'closed', buckets: Object.freeze([]) });

export type Admission = 'call' | 'probe' | 'reject';

export function admit(s: BreakerState, now: number, o: BreakerOptions): { state: BreakerState; admission: Admission } {
  if (s.mode === 'closed') return { state: s, admission: 'call' };
  if (!s.probing && now - s.lastProbeAt >= o.probeIntervalMs) {
    return { state: { ...s, probing: true, lastProbeAt: now, probes: s.probes + 1 }, admission: 'probe' };
  }
  return { state: { ...s, rejected: s.rejected + 1 }, admission: 'reject' };
}

export interface CallResult {
  /** An infrastructure failure (the service did not answer usefully). */
  failure: boolean;
  error?: string;
}

export type Transition = 'opened' | 'closed';

export function settle(
  s: BreakerState,
  admission: Exclude<Admission, 'reject'>,
  r: CallResult,
  now: number,
  o: BreakerOptions,
): { state: BreakerState; transition?: Transition } {
  if (admission === 'probe') {
    if (s.mode !== 'open') return { state: s };
    if (!r.failure) return { state: CLOSED, transition: 'closed' };
    return { state: { ...s, probing: false, lastError: r.error ?? s.lastError } };
  }
  // A call admitted before the breaker opened and answered after: the probe decides now.
  if (s.mode === 'open') return { state: s };
  const bucketMs = o.windowMs / BUCKETS;
  const start = Math.floor(now / bucketMs) * bucketMs;
  const kept = s.buckets.filter((b) => b.start > now - o.windowMs && b.start !== start);
  const cur = s.buckets.find((b) => b.start === start) ?? { start, calls: 0, failures: 0 };
  const buckets = [...kept, { start, calls: cur.calls + 1, failures: cur.failures + (r.failure ? 1 : 0) }];
  const calls = buckets.reduce((n, b) => n + b.calls, 0);
  const failures = buckets.reduce((n, b) => n + b.failures, 0);
  if (r.failure && calls >= o.minCalls && failures / calls >= o.failureRatio) {
    const open: BreakerState = {
      mode: 'open', since: now, calls, failures, lastError: r.error ?? 'unknown',
      probing: false, lastProbeAt: now, rejected: 0, probes: 0,
    };
    return { state: open, transition: 'opened' };
  }
  return { state: { mode: 'closed', buckets } };
}

// ---- wrapper -----------------------------------------------------------------------------------

const INFRA: ReadonlySet<RetriableCode> = new Set(['server_error', 'timeout', 'connection', 'throttled']);

/** Infrastructure-ish: the order service did not answer usefully for reasons not of this order. */
export function isInfraFailure(err: unknown): boolean {
  if (err instanceof RetriableError) return INFRA.has(err.code);
  if (err instanceof PermanentError) return false;
  return true;
}

export interface OutageInfo {
  since: Date;
  /** null while it lasts */
  until: Date | null;
  calls: number;
  failures: number;
  lastError: string;
  rejected: number;
  probes: number;
}

export interface BreakerSnapshot {
  open: boolean;
  /** The current outage when open, else the last one (null if none yet). */
  outage: OutageInfo | null;
}

export interface BreakingOrderSource extends OrderSource {
  snapshot(): BreakerSnapshot;
}

export interface BreakerDeps {
  options?: Partial<BreakerOptions>;
  /** Epoch ms. */
  now?: () => number;
  /** Told after each transition; must not throw (it runs on the caller's path). */
  onChange?: (snapshot: BreakerSnapshot) => void;
}

function infoOf(s: Extract<BreakerState, { mode: 'open' }>, until: number | null): OutageInfo {
  return {
    since: new Date(s.since), until: until === null ? null : new Date(until),
    calls: s.calls, failures: s.failures, lastError: s.lastError, rejected: s.rejected, probes: s.probes,
  };
}

export function createBreaker(inner: OrderSource, deps: BreakerDeps = {}): BreakingOrderSource {
  const o: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...deps.options };
  const now = deps.now ?? Date.now;
  let state: BreakerState = CLOSED;
  let lastOutage: OutageInfo | null = null;

  const snapshot = (): BreakerSnapshot =>
    state.mode === 'open' ? { open: true, outage: infoOf(state, null) } : { open: false, outage: lastOutage };

  function record(admission: 'call' | 'probe', r: CallResult): void {
    const before = state;
    const t = now();
    const next = settle(state, admission, r, t, o);
    state = next.state;
    if (next.transition === undefined) return;
    if (next.transition === 'closed' && before.mode === 'open') lastOutage = infoOf(before, t);
    deps.onChange?.(snapshot());
  }

  return {
    snapshot,
    async fetchOrder(orderId: string): Promise<OrderDetails> {
      const a = admit(state, now(), o);
      state = a.state;
      if (a.admission === 'reject') {
        const since = state.mode === 'open' ? new Date(state.since).toISOString() : '?';
        throw new RetriableError('outage', `order service is down (circuit open since ${since}); not called`);
      }
      try {
        const details = await inner.fetchOrder(orderId);
        record(a.admission, { failure: false });
        return details;
      } catch (err) {
        const failure = isInfraFailure(err);
        record(a.admission, { failure, error: describeError(err) });
        // Failed while the service is down for everyone (a probe, or the call that tipped it):
        // an outage, so the retry job spends no attempt on it.
        if (failure && state.mode === 'open') {
          throw new RetriableError('outage', `order service is down: ${describeError(err)}`, { cause: err });
        }
        throw err;
      }
    },
  };
}

// The outage breaker's state machine (the wrapper is ./breaker.ts). Pure: every decision is a
// function of the state, one outcome and the time, table-tested in test/unit/breaker.test.ts.
//
// It opens on either of two kinds of evidence that the order service is down for everyone:
// - busy hours, the rolling window: at least `minCalls` calls in `windowMs`, `failureRatio` of
//   them infrastructure failures;
// - quiet hours, the streak: `streakFailures` infrastructure failures in a row (no answer in
//   between), of at least two different orders, spanning at least `streakSpanMs`. At night the
//   retry job makes a handful of calls, never 20 in 10 s; the wrapper makes the streak happen by
//   checking every unexplained failure with a read of another order (verification reads,
//   `verifyIntervalMs` apart), so a quiet outage is recognised from ONE failed call.
// The span keeps a blip of a few milliseconds (a restarting pod) from opening it; the "answer in
// between" keeps a random error rate from opening it (at a 20 % error rate the next call answers
// four times in five).
//
// While a failure is being explained, the caller waits: `verdict` says 'own' once the service
// answered a call sent after the failure (the service is up, so the failure is this order's), and
// 'outage' once the breaker is open. Neither: wait for the next outcome or verification.

export interface BreakerOptions {
  /** Length of the rolling window of outcomes. */
  windowMs: number;
  /** No verdict on fewer calls than this in the window (a handful of errors is not an outage). */
  minCalls: number;
  /** Share of failed calls in the window at which the breaker opens, 0..1. */
  failureRatio: number;
  /** While open, one real call (a probe) is let through this often. */
  probeIntervalMs: number;
  /** Infrastructure failures in a row, with no answer in between, that open it (quiet hours). */
  streakFailures: number;
  /** ... when the first and the last of them are at least this far apart. */
  streakSpanMs: number;
  /** While a failure is unexplained, the breaker reads another order at most this often. */
  verifyIntervalMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  windowMs: 10_000,
  minCalls: 20,
  failureRatio: 0.8,
  probeIntervalMs: 5_000,
  streakFailures: 3,
  streakSpanMs: 1_000,
  verifyIntervalMs: 500,
});

/** The window is kept as 10 buckets, so a busy service costs 10 counters, not one entry per call. */
const BUCKETS = 10;

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

export interface Streak {
  first: number;
  last: number;
  failures: number;
  /** Distinct orders among them, at most two kept (two is all the rule asks). */
  orders: readonly string[];
}

export type OpenCause = 'window' | 'streak' | 'peer';

export type BreakerState =
  | {
      mode: 'closed';
      buckets: readonly Bucket[];
      streak: Streak | null;
      /** Send time of the newest call the service answered (-Infinity: none yet). */
      answeredAt: number;
    }
  | {
      mode: 'open';
      since: number;
      cause: OpenCause;
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

type Closed = Extract<BreakerState, { mode: 'closed' }>;

export const CLOSED: Closed = Object.freeze({
  mode: 'closed', buckets: Object.freeze([]), streak: null, answeredAt: -Infinity,
});

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
  /** The order read (verification reads name theirs); default: one unnamed order. */
  orderId?: string;
  /** When the call was sent; default: when it settled. */
  sentAt?: number;
}

export type Transition = 'opened' | 'closed';

function extend(streak: Streak | null, now: number, orderId: string): Streak {
  if (streak === null) return { first: now, last: now, failures: 1, orders: [orderId] };
  const orders = streak.orders.length >= 2 || streak.orders.includes(orderId) ? streak.orders : [...streak.orders, orderId];
  return { first: streak.first, last: now, failures: streak.failures + 1, orders };
}

export function settle(
  s: BreakerState,
  admission: Exclude<Admission, 'reject'>,
  r: CallResult,
  now: number,
  o: BreakerOptions,
): { state: BreakerState; transition?: Transition } {
  const sentAt = r.sentAt ?? now;
  if (admission === 'probe') {
    if (s.mode !== 'open') return { state: s };
    if (!r.failure) return { state: { ...CLOSED, answeredAt: sentAt }, transition: 'closed' };
    return { state: { ...s, probing: false, lastError: r.error ?? s.lastError } };
  }
  // A call admitted before the breaker opened and answered after: the probe decides now.
  if (s.mode === 'open') return { state: s };
  const bucketMs = o.windowMs / BUCKETS;
  const start = Math.floor(now / bucketMs) * bucketMs;
  const kept = s.buckets.filter((b) => b.start > now - o.windowMs && b.start !== start);
  const cur = s.buckets.find((b) => b.start === start) ?? { start, calls: 0, failures: 0 };
  const buckets = [...kept, { start, calls: cur.calls + 1, failures: cur.failures + (r.failure ? 1 : 0) }];
  if (!r.failure) return { state: { mode: 'closed', buckets, streak: null, answeredAt: Math.max(s.answeredAt, sentAt) } };
  const calls = buckets.reduce((n, b) => n + b.calls, 0);
  const failures = buckets.reduce((n, b) => n + b.failures, 0);
  const streak = extend(s.streak, now, r.orderId ?? '');
  const byWindow = calls >= o.minCalls && failures / calls >= o.failureRatio;
  const byStreak =
    streak.failures >= o.streakFailures && streak.orders.length >= 2 && streak.last - streak.first >= o.streakSpanMs;
  if (byWindow || byStreak) {
    const open: BreakerState = {
      mode: 'open', since: now, cause: byWindow ? 'window' : 'streak', calls, failures,
      lastError: r.error ?? 'unknown', probing: false, lastProbeAt: now, rejected: 0, probes: 0,
    };
    return { state: open, transition: 'opened' };
  }
  return { state: { mode: 'closed', buckets, streak, answeredAt: s.answeredAt } };
}

export type Verdict = 'own' | 'outage' | 'pending';

/**
 * What an infrastructure failure observed at `failedAt` (breaker closed then) turned out to be:
 * 'outage' once the breaker is open, 'own' once the service answered a call sent after it.
 */
export function verdict(s: BreakerState, failedAt: number): Verdict {
  if (s.mode === 'open') return 'outage';
  return s.answeredAt >= failedAt ? 'own' : 'pending';
}

/**
 * Another instance reports the order service down since `peerSince` (the shared outage record).
 * Believed unless this instance has seen the service answer a call sent since then: its own
 * evidence is newer. Opened this way, the first call is a probe at once, so the claim is checked.
 */
export function adoptPeer(
  s: BreakerState,
  peerSince: number,
  now: number,
  o: BreakerOptions,
): { state: BreakerState; transition?: Transition } {
  if (s.mode === 'open' || s.answeredAt >= peerSince) return { state: s };
  const open: BreakerState = {
    // the peer's start, not now: another instance that recovered before this read must not take
    // this instance's report as a newer outage than the answer it has seen
    mode: 'open', since: Math.min(peerSince, now), cause: 'peer', calls: 0, failures: 0,
    lastError: 'reported down by another instance', probing: false, lastProbeAt: now - o.probeIntervalMs,
    rejected: 0, probes: 0,
  };
  return { state: open, transition: 'opened' };
}

// Outage awareness: when calls fail across all orders, the order service is down
// for everyone. Then every further call only burns retry attempts and adds load to a struggling
// service, so the breaker opens: calls fail fast with RetriableError('outage') (the consumer parks
// the event as a queue head; the retry job defers it without spending an attempt), except one probe
// call every `probeIntervalMs`; a probe the service answers closes it.
//
// Whatever the traffic, no attempt is spent while the service is down: an infrastructure failure
// seen while closed is not reported until it is explained (./breaker-state.ts `verdict`). Either
// the service answers a call sent after it (the failure is this order's own: reported as is, the
// attempt is spent), or the breaker opens (reported as 'outage'). Busy hours explain it with the
// calls that are being made anyway; at quiet hours the breaker reads another order itself: the
// newest order the service answered for, or, on a fresh instance, PROBE_ORDER_ID, an id no order
// has, whose 404 proves the service answers (the order service's API offers no health
// endpoint). While open, the breaker also probes on its own (`autoProbe`)
// with a real read of the order that failed last, so it closes, and the "recovered" mail goes out,
// even when nothing calls it.
//
// Only infrastructure failures count (5xx, timeout, connection, 429). A 404 or a stale answer is
// one order's replica lag, and a contract break is one order's bad data: the service answered, so
// those count as healthy calls. An error nobody classified is a bug, here as everywhere
// (src/errors.ts `errorKind`): it says nothing about the service either way, so it is not
// recorded as an outcome (a probe that hits one stays unanswered), and it passes through as is.
//
// Why not `opossum`: its rolling window counts every rejection as a failure, it has no notion of
// "this error does not count", and its half-open state lets through whichever call comes first
// instead of one probe per interval. The machine is pure and table-tested (./breaker-state.ts).
import { describeError, errorKind, RetriableError, type RetriableCode } from '../errors';
import type { OrderDetails } from './details';
import type { OrderSource } from './client';
import {
  admit, adoptPeer, CLOSED, DEFAULT_BREAKER_OPTIONS, settle, verdict,
  type Admission, type BreakerOptions, type BreakerState, type CallResult, type OpenCause, type Transition,
} from './breaker-state';

export { DEFAULT_BREAKER_OPTIONS, type BreakerOptions } from './breaker-state';

/** Read to check the service when no real order is known; a 404 for it means "up". */
export const PROBE_ORDER_ID = 'kds-outage-probe';

const INFRA: ReadonlySet<RetriableCode> = new Set(['server_error', 'timeout', 'connection', 'throttled']);

/** Infrastructure-ish: the order service did not answer usefully for reasons not of this order. */
export function isInfraFailure(err: unknown): boolean {
  switch (errorKind(err)) {
    case 'infrastructure':
      return true;
    case 'retriable':
      return INFRA.has((err as RetriableError).code);
    case 'permanent':
    case 'bug':
      return false;
  }
}

export interface OutageInfo {
  since: Date;
  /** null while it lasts */
  until: Date | null;
  cause: OpenCause;
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
  /**
   * The shared outage record says another instance has seen the service down since `since`:
   * open too, unless this instance has seen it answer since then (src/alerts/outage-alerts.ts).
   */
  peerDown(since: Date): void;
  /** Told after each transition (must not throw: it runs on the caller's path); returns an unsubscribe. */
  onChange(listener: (snapshot: BreakerSnapshot) => void): () => void;
  /** Stops the self-probe timer. */
  close(): void;
}

export interface BreakerDeps {
  options?: Partial<BreakerOptions>;
  /** Epoch ms. */
  now?: () => number;
  /** Waits between verification reads (tests pass one that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Probe on a timer while open, not only when a caller comes (the service turns this on). */
  autoProbe?: boolean;
  /** Told after each transition; must not throw (it runs on the caller's path). */
  onChange?: (snapshot: BreakerSnapshot) => void;
}

type Open = Extract<BreakerState, { mode: 'open' }>;

function infoOf(s: Open, until: number | null): OutageInfo {
  return {
    since: new Date(s.since), until: until === null ? null : new Date(until), cause: s.cause,
    calls: s.calls, failures: s.failures, lastError: s.lastError, rejected: s.rejected, probes: s.probes,
  };
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createBreaker(inner: OrderSource, deps: BreakerDeps = {}): BreakingOrderSource {
  const o: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...deps.options };
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  let state: BreakerState = CLOSED;
  let lastOutage: OutageInfo | null = null;
  // targets of the breaker's own reads
  let lastAnswered: string | undefined;
  let lastFailed: string | undefined;
  // callers waiting for an explanation of their failure, and for the next outcome
  // one token per waiting caller: two failures of the same millisecond are two waiters
  const unexplained = new Set<{ at: number }>();
  let wake: (() => void)[] = [];
  let verifying: Promise<void> | undefined;
  let lastVerifyAt = -Infinity;

  const snapshot = (): BreakerSnapshot =>
    state.mode === 'open' ? { open: true, outage: infoOf(state, null) } : { open: false, outage: lastOutage };

  const listeners = new Set<(snapshot: BreakerSnapshot) => void>();
  if (deps.onChange !== undefined) listeners.add(deps.onChange);

  function transit(before: BreakerState, transition: Transition | undefined, t: number): void {
    if (transition === undefined) return;
    if (transition === 'closed' && before.mode === 'open') lastOutage = infoOf(before, t);
    const now = snapshot();
    for (const l of listeners) l(now);
  }

  function record(admission: Exclude<Admission, 'reject'>, r: CallResult): void {
    const before = state;
    const t = now();
    const next = settle(state, admission, r, t, o);
    state = next.state;
    transit(before, next.transition, t);
    const woken = wake;
    wake = [];
    woken.forEach((w) => w());
  }

  /** A real call, its outcome recorded; the error as the inner source gave it. */
  async function call(orderId: string, admission: Exclude<Admission, 'reject'>): Promise<OrderDetails> {
    const sentAt = now();
    try {
      const details = await inner.fetchOrder(orderId);
      if (orderId !== PROBE_ORDER_ID) lastAnswered = orderId;
      record(admission, { failure: false, orderId, sentAt });
      return details;
    } catch (err) {
      if (errorKind(err) === 'bug') {
        // no evidence about the service: only a probe's slot is given back (still open)
        if (admission === 'probe') record(admission, { failure: true, error: describeError(err), orderId, sentAt });
        throw err;
      }
      const failure = isInfraFailure(err);
      if (orderId !== PROBE_ORDER_ID) {
        if (failure) lastFailed = orderId;
        else lastAnswered = orderId;
      }
      record(admission, { failure, error: describeError(err), orderId, sentAt });
      throw err;
    }
  }

  const stillUnexplained = (): boolean => [...unexplained].some((w) => verdict(state, w.at) === 'pending');

  /** One verification read of an order other than `suspect`, at most one per verifyIntervalMs. */
  function verify(suspect: string): Promise<void> {
    verifying ??= (async () => {
      const wait = lastVerifyAt + o.verifyIntervalMs - now();
      if (wait > 0) await sleep(wait);
      if (!stillUnexplained()) return;
      lastVerifyAt = now();
      const target = lastAnswered !== undefined && lastAnswered !== suspect ? lastAnswered : PROBE_ORDER_ID;
      await call(target, 'call').catch(() => undefined);
    })().finally(() => {
      verifying = undefined;
    });
    return verifying;
  }

  async function explain(orderId: string, failedAt: number): Promise<'own' | 'outage'> {
    const token = { at: failedAt };
    unexplained.add(token);
    try {
      for (;;) {
        const v = verdict(state, failedAt);
        if (v !== 'pending') return v;
        const next = new Promise<void>((resolve) => wake.push(resolve));
        await Promise.race([next, verify(orderId)]);
      }
    } finally {
      unexplained.delete(token);
    }
  }

  const outage = (err: unknown): RetriableError =>
    new RetriableError('outage', `order service is down: ${describeError(err)}`, { cause: err });

  function probeNow(): void {
    if (state.mode !== 'open' || state.probing || now() - state.lastProbeAt < o.probeIntervalMs) return;
    state = admit(state, now(), o).state;
    call(lastFailed ?? lastAnswered ?? PROBE_ORDER_ID, 'probe').catch(() => undefined);
  }
  const timer = deps.autoProbe === true ? setInterval(probeNow, Math.max(10, o.probeIntervalMs / 2)) : undefined;
  timer?.unref();

  return {
    snapshot,
    peerDown(since) {
      const before = state;
      const t = now();
      const next = adoptPeer(state, since.getTime(), t, o);
      state = next.state;
      transit(before, next.transition, t);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
    },
    async fetchOrder(orderId: string): Promise<OrderDetails> {
      const a = admit(state, now(), o);
      state = a.state;
      if (a.admission === 'reject') {
        const since = state.mode === 'open' ? new Date(state.since).toISOString() : '?';
        throw new RetriableError('outage', `order service is down (circuit open since ${since}); not called`);
      }
      try {
        return await call(orderId, a.admission);
      } catch (err) {
        if (!isInfraFailure(err)) throw err;
        // Failed while the service is down for everyone (a probe, or the call that tipped it):
        // an outage, so the retry job spends no attempt on it.
        if (state.mode === 'open') throw outage(err);
        // The service or this order? Not said until known.
        if ((await explain(orderId, now())) === 'outage') throw outage(err);
        throw err;
      }
    },
  };
}

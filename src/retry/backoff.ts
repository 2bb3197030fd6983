// Exponential backoff with jitter for the retry job, and the floor that lets replica lag pass.
// Pure.
import { RetriableError } from '../errors';

/** Cap so a long run of failures still gets retried within the hour. */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * Delay before retry number `attempt` (1 = first retry): base·2^(attempt-1), ±50% jitter so orders
 * that failed together do not retry in lockstep. `random` is in [0, 1).
 */
export function backoffMs(attempt: number, baseMs: number, random: number = Math.random()): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exp, MAX_BACKOFF_MS);
  return Math.round(capped * (0.5 + random));
}

/**
 * The rule: an entry whose reads keep meeting replica lag is retried for at least this long after
 * its first attempt before its attempts run out. The order service's replicas lag "by up to
 * several seconds", says the order service's API contract; 30 s is several times that.
 *
 * With the contract's defaults (base 10 s, 7 attempts) the schedule alone spans 635 s at the least
 * (every jitter at -50 %: 5+10+20+40+80+160+320 s), so the floor never binds. It binds with small
 * bases: 200 ms gives 12.6 s after the first attempt at the least, 10 ms 0.6 s — less than one lag.
 */
export const REPLICA_LAG_SPAN_MS = 30_000;

/** A 404 or a stale answer: the replica that answered has not caught up with the event yet. */
export function isReplicaLag(err: unknown): boolean {
  return err instanceof RetriableError && (err.code === 'not_found' || err.code === 'stale');
}

/**
 * Least delay before retry `attempt` (2..maxAttempts: the delays that follow a failed attempt)
 * so that they add up to `spanMs`: each takes a share proportional to 2^(attempt-2), the shape of
 * the schedule itself, so the floor stretches it without flattening it.
 */
export function lagFloorMs(attempt: number, maxAttempts: number, spanMs: number = REPLICA_LAG_SPAN_MS): number {
  if (maxAttempts < 2 || attempt < 2 || attempt > maxAttempts) return 0;
  return Math.ceil((spanMs * 2 ** (attempt - 2)) / (2 ** (maxAttempts - 1) - 1));
}

/** The retry job's delay after a failed attempt: the backoff, at least the lag floor when lag. */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  maxAttempts: number,
  lag: boolean,
  random: number = Math.random(),
): number {
  const delay = backoffMs(attempt, baseMs, random);
  return lag ? Math.max(delay, lagFloorMs(attempt, maxAttempts)) : delay;
}

// Exponential backoff with jitter for the retry job. Pure.
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

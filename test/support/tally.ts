// What the consumer finished, by outcome, for tests and the benchmark probe: hand it to the
// pipeline as its consumer observer and wait for a total (an event the code emits, not a sleep).
import type { ConsumerObserver, RecordOutcome } from '../../src/pipeline/consumer';

/** Counts finished records by outcome and lets a caller wait for a total. */
export interface Tally extends ConsumerObserver {
  counts: Record<RecordOutcome, number>;
  total(): number;
  /** Resolves when total() reaches n; rejects after timeoutMs. */
  reach(n: number, timeoutMs: number): Promise<void>;
}

export function createTally(): Tally {
  const counts: Record<RecordOutcome, number> = { applied: 0, duplicate: 0, parked: 0, dead_lettered: 0 };
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let total = 0;
  let infra = 0;
  let firstError: unknown;
  return {
    counts,
    total: () => total,
    record(outcome) {
      counts[outcome] += 1;
      total += 1;
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && total >= w.n) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
    },
    infraError(err) {
      infra += 1;
      firstError ??= err;
    },
    reach(n, timeoutMs) {
      if (total >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const first = firstError instanceof Error ? `; first: ${firstError.message}` : '';
          reject(new Error(`only ${total} of ${n} records finished after ${timeoutMs} ms (${infra} infrastructure errors${first})`));
        }, timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

// Key-ordered concurrency (docs/throughput.md): tasks of one key run one after another in submission
// order; tasks of different keys run concurrently up to a global limit that can be resized at
// run time without reshuffling keys (a chain per key, not fixed lanes). No I/O.

export interface KeyedScheduler {
  submit<T>(key: string, task: () => Promise<T>): Promise<T>;
  setLimit(limit: number): void;
  limit(): number;
  /** Tasks running now. */
  active(): number;
  /** Tasks submitted and not finished (running or waiting). */
  pending(): number;
}

export function createKeyedScheduler(initialLimit: number): KeyedScheduler {
  let max = Math.max(1, Math.floor(initialLimit));
  let running = 0;
  let pending = 0;
  const waiting: (() => void)[] = [];
  const tails = new Map<string, Promise<unknown>>();

  const wake = (): void => {
    while (running < max && waiting.length > 0) {
      running += 1;
      waiting.shift()?.();
    }
  };
  const acquire = (): Promise<void> =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      wake();
    });
  const release = (): void => {
    running -= 1;
    wake();
  };

  return {
    submit<T>(key: string, task: () => Promise<T>): Promise<T> {
      pending += 1;
      const prev = tails.get(key) ?? Promise.resolve();
      const run = prev
        .catch(() => undefined) // a failed predecessor must not stop its successors
        .then(acquire)
        .then(async () => {
          try {
            return await task();
          } finally {
            release();
          }
        });
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        pending -= 1;
        // the last task of a key removes its chain: the map holds only keys with work
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    setLimit(limit) {
      max = Math.max(1, Math.floor(limit));
      wake();
    },
    limit: () => max,
    active: () => running,
    pending: () => pending,
  };
}

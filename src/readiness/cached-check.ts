// A check answered from a recent result: at most one run in flight, and a result younger than
// `maxAgeMs` is given to every caller without running again. However many callers, the checked
// system sees at most one check per `maxAgeMs` (plus one in flight). Pure apart from the clock.
export interface CachedCheckOptions {
  /** Default 1000 ms. */
  maxAgeMs?: number;
  now?: () => number;
}

export function cachedCheck<T>(run: () => Promise<T>, opts: CachedCheckOptions = {}): () => Promise<T> {
  const maxAgeMs = opts.maxAgeMs ?? 1000;
  const now = opts.now ?? Date.now;
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last !== undefined && now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    inFlight ??= (async () => {
      try {
        // the result's age counts from when the check started: it says how things were then
        const at = now();
        const value = await run();
        last = { at, value };
        return value;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}

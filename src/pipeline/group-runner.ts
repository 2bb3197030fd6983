// Group commit for callers that each hold one item: items submitted while earlier groups are still
// running wait and then run together as one group (up to maxSize). At low load a group is a single
// item, started in the same turn of the event loop it was submitted in (no added latency); under a
// backlog the per-group cost (round trips, one COMMIT and its fsync) is shared by many items.
// Measured on the 2-core stack: one transaction per event cost ~4 CPU-ms per event between the KDS
// and MariaDB (docs/throughput.md). No I/O here; `run` does it.

export interface GroupRunner<I, O> {
  submit(item: I): Promise<O>;
  /** Items waiting for a group to start. */
  queued(): number;
}

export interface GroupRunnerOptions<I, O> {
  /** Largest group handed to run. */
  maxSize: number;
  /** Groups running at once (one filling up while one commits keeps both sides busy). */
  maxConcurrent: number;
  /** One settled result per item, in the items' order: one item's failure is its own. */
  run: (items: I[]) => Promise<PromiseSettledResult<O>[]>;
}

interface Waiter<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export function createGroupRunner<I, O>(opts: GroupRunnerOptions<I, O>): GroupRunner<I, O> {
  const maxSize = Math.max(1, Math.floor(opts.maxSize));
  const maxConcurrent = Math.max(1, Math.floor(opts.maxConcurrent));
  const queue: Waiter<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  const settle = (group: Waiter<I, O>[], results: PromiseSettledResult<O>[]): void => {
    group.forEach((w, i) => {
      const r = results[i];
      if (r === undefined) w.reject(new Error(`group run returned ${results.length} results for ${group.length} items`));
      else if (r.status === 'fulfilled') w.resolve(r.value);
      else w.reject(r.reason);
    });
  };

  const start = (group: Waiter<I, O>[]): void => {
    running += 1;
    // through a promise so that a synchronous throw of run fails its group too
    Promise.resolve(group.map((w) => w.item))
      .then(opts.run)
      .then(
        (results) => settle(group, results),
        (err: unknown) => group.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        running -= 1;
        pump();
      });
  };

  function pump(): void {
    scheduled = false;
    while (running < maxConcurrent && queue.length > 0) start(queue.splice(0, maxSize));
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Items submitted in the same turn (a fetched batch fans out at once) share one group.
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(pump);
        }
      });
    },
    queued: () => queue.length,
  };
}

// The retry job's core: takes due queue heads, reads the order again, and applies or reschedules.
// A success releases the next entry of the same order and works it at once, so a queue parked
// behind a failing head drains in order within one run, not one entry per tick.
import { inTx, type Pool } from '../db/pool';
import { describeError, RetriableError } from '../errors';
import type { Logger } from '../log';
import type { OrderSource } from '../order-service/client';
import { appendChanges, type ChangeNotifier } from '../changes/append';
import { applyOrders } from '../pipeline/sql/apply-order';
import { fetchFresh, type FetchResult } from '../pipeline/fetch-fresh';
import { lockGuard, peekProgress } from '../pipeline/sql/guard';
import { backoffMs } from './backoff';
import { claimDue, closeAndRelease, getEntry, lockHead, recordFailure, type RetryEntry } from './sql';

export interface RetryWorkerDeps {
  pool: Pool;
  orders: OrderSource;
  notifier: ChangeNotifier;
  log: Logger;
  backoffBaseMs: number;
  maxAttempts: number;
  /** Heads claimed per round; live-tunable. */
  batchSize: () => number;
  /** How long a claim holds an entry before another instance may take it. */
  leaseMs?: number;
  clock?: () => Date;
  random?: () => number;
  /** Told about each attempt's outcome (metrics, outage detection, mail). */
  onAttempt?: (entry: RetryEntry, outcome: AttemptOutcome) => void;
}

export type AttemptOutcome = 'done' | 'retry' | 'failed' | 'skipped' | 'deferred';

export interface RunStats {
  attempted: number;
  done: number;
  failed: number;
}

export interface RetryWorker {
  /** One run of the job: works every due head (and the queues they release). */
  runOnce(): Promise<RunStats>;
  /** Works one entry now if it is a PENDING head (operator replay). */
  attempt(id: number): Promise<AttemptOutcome>;
}

export function createRetryWorker(deps: RetryWorkerDeps): RetryWorker {
  const now = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const leaseMs = deps.leaseMs ?? 60_000;

  async function readFor(entry: RetryEntry): Promise<FetchResult | 'already-applied'> {
    const progress = await peekProgress(deps.pool, entry.order_id);
    if (progress.storedVersion >= entry.event_version) return 'already-applied';
    return fetchFresh(deps.orders, {
      orderId: entry.order_id,
      merchantId: entry.merchant_id,
      version: entry.event_version,
    });
  }

  async function attemptOne(claimed: RetryEntry): Promise<{ outcome: AttemptOutcome; next: RetryEntry | undefined }> {
    const read = await readFor(claimed);
    const result = await inTx(deps.pool, async (conn) => {
      const guard = await lockGuard(conn, claimed.order_id, claimed.merchant_id);
      const entry = await lockHead(conn, claimed.id);
      if (entry === undefined) return { outcome: 'skipped' as const, seq: 0, next: undefined };
      if (read === 'already-applied' || read.ok) {
        // the guard lock read the order's version with the order row locked: nothing to read again
        const changes =
          read === 'already-applied'
            ? []
            : ((await applyOrders(conn, [{ details: read.details, storedVersion: guard.storedVersion }], now()))[0] ?? []);
        const next = await closeAndRelease(conn, entry, 'DONE', new Date(now().getTime() + leaseMs), null);
        // the merchant's seq row is locked last (see changes/append.ts)
        const seq = await appendChanges(conn, claimed.merchant_id, changes);
        return { outcome: 'done' as const, seq, next };
      }
      if (read.error instanceof RetriableError && read.error.code === 'outage') {
        // The order service is down for everyone: wait it out without spending an attempt.
        await recordFailure(conn, entry.id, {
          attempts: entry.attempts,
          failed: false,
          nextAttemptAt: new Date(now().getTime() + backoffMs(1, deps.backoffBaseMs, random())),
          error: describeError(read.error),
        });
        return { outcome: 'deferred' as const, seq: 0, next: undefined };
      }
      const attempts = entry.attempts + 1;
      const failed = attempts >= deps.maxAttempts;
      await recordFailure(conn, entry.id, {
        attempts,
        failed,
        nextAttemptAt: failed ? null : new Date(now().getTime() + backoffMs(attempts + 1, deps.backoffBaseMs, random())),
        error: describeError(read.error),
      });
      return { outcome: failed ? ('failed' as const) : ('retry' as const), seq: 0, next: undefined };
    });
    if (result.seq > 0) deps.notifier.changed(claimed.merchant_id, result.seq);
    deps.onAttempt?.(claimed, result.outcome);
    return { outcome: result.outcome, next: result.next };
  }

  /** Works an entry and then, while they succeed, the entries its success released. */
  async function drainFrom(first: RetryEntry, stats: RunStats): Promise<void> {
    let current: RetryEntry | undefined = first;
    while (current !== undefined) {
      const { outcome, next } = await attemptOne(current);
      stats.attempted += 1;
      if (outcome === 'done') stats.done += 1;
      if (outcome === 'failed') stats.failed += 1;
      current = next;
    }
  }

  let running: Promise<RunStats> | undefined;
  async function run(): Promise<RunStats> {
    const stats: RunStats = { attempted: 0, done: 0, failed: 0 };
    // only what was due when the run started: an entry deferred by this run (an outage, a backoff
    // shorter than the run) waits for the next tick instead of looping the run forever
    const startedAt = now();
    for (;;) {
      const limit = Math.max(1, deps.batchSize());
      const claimed = await claimDue(deps.pool, limit, now(), leaseMs, startedAt);
      if (claimed.length === 0) return stats;
      // Heads of different orders: independent, so worked concurrently (the order-service
      // gate still caps the calls).
      const results = await Promise.allSettled(claimed.map((e) => drainFrom(e, stats)));
      for (const r of results) {
        if (r.status === 'rejected') deps.log.error('retry attempt failed', { err: r.reason });
      }
      if (claimed.length < limit) return stats;
    }
  }

  return {
    runOnce() {
      // node-cron may tick while a long run is still going: join it rather than overlap.
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
    async attempt(id) {
      const entry = await getEntry(deps.pool, id);
      if (entry === undefined) return 'skipped';
      const { outcome, next } = await attemptOne(entry);
      if (next !== undefined) await drainFrom(next, { attempted: 0, done: 0, failed: 0 });
      return outcome;
    },
  };
}

// The retry job's core: takes due queue heads, reads the order again, and applies or reschedules
// as the queue's rule says (src/order-queue/decide.ts: an outage spends no attempt, a permanent
// failure goes FAILED at once, a retriable one after the last attempt).
// A success releases the next entry of the same order and works it at once, so a queue parked
// behind a failing head drains in order within one run, not one entry per tick.
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Pool } from '../db/pool';
import { applyOrders } from '../apply/apply-orders';
import { errorKind } from '../errors';
import type { Logger } from '../log';
import { createMenuCache, type MenuCache } from '../menu/cache';
import { createMerchantZones, type MerchantZones } from '../merchant-settings/zones';
import { afterFailedRead, alreadyApplied, applyFailure, isWorkableHead, type ReadResult } from '../order-queue/decide';
import { claimDueHeads, closeHead, getEntry, lockEntry, peekQueue, recordAttempt, type QueueEntry } from '../order-queue/sql';
import type { OrderSource } from '../order-service/client';
import { fetchFresh } from '../order-service/fetch-fresh';
import { isReplicaLag, retryDelayMs } from './backoff';

export type RetryEntry = QueueEntry;

export interface RetryWorkerDeps {
  pool: Pool;
  orders: OrderSource;
  work: UnitOfWork;
  log: Logger;
  backoffBaseMs: number;
  maxAttempts: number;
  /** Heads claimed per round; live-tunable. */
  batchSize: () => number;
  /** How long a claim holds an entry before another instance may take it. */
  leaseMs?: number;
  clock?: () => Date;
  random?: () => number;
  /** Merchants' time zones, for ticket numbers and local days (default: every merchant in UTC). */
  zones?: MerchantZones;
  /** Prep targets cached per menu version (default: this worker's own cache). */
  menus?: MenuCache;
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
  const merchants = { zones: deps.zones ?? createMerchantZones('UTC'), menus: deps.menus ?? createMenuCache() };

  async function readFor(entry: RetryEntry): Promise<ReadResult | 'already-applied'> {
    const queue = await peekQueue(deps.pool, entry.order_id);
    if (alreadyApplied(queue.storedVersion, entry.event_version)) return 'already-applied';
    return fetchFresh(deps.orders, {
      orderId: entry.order_id,
      merchantId: entry.merchant_id,
      version: entry.event_version,
    });
  }

  // after a replica-lag failure (404, stale) the delay has a floor: src/retry/backoff.ts
  const policy = (error?: unknown) => ({
    maxAttempts: deps.maxAttempts,
    delayMs: (retry: number) => retryDelayMs(retry, deps.backoffBaseMs, deps.maxAttempts, isReplicaLag(error), random()),
    now: now(),
  });

  async function attemptOne(claimed: RetryEntry): Promise<{ outcome: AttemptOutcome; next: RetryEntry | undefined }> {
    const read = await readFor(claimed);
    const result = await deps.work.run(async (tx): Promise<{ outcome: AttemptOutcome; next: RetryEntry | undefined }> => {
      const held = await lockEntry(tx.conn, claimed);
      if (!isWorkableHead(held)) return { outcome: 'skipped', next: undefined };
      if (read === 'already-applied' || read.ok) {
        if (read !== 'already-applied') {
          // the queue lock read the order's version with the order row locked: nothing to read again
          await applyOrders(tx, [{ details: read.details, storedVersion: held.queue.storedVersion, ticketed: held.queue.ticketed }], now(), merchants);
        }
        const next = await closeHead(tx.conn, held, 'DONE', new Date(now().getTime() + leaseMs));
        return { outcome: 'done', next };
      }
      const plan = afterFailedRead(read.error, held.entry.attempts + 1, policy(read.error));
      await recordAttempt(tx.conn, held, plan);
      const outcome: AttemptOutcome =
        plan.status === 'FAILED' ? 'failed' : plan.attempts === held.entry.attempts ? 'deferred' : 'retry';
      return { outcome, next: undefined };
    });
    deps.onAttempt?.(claimed, result.outcome);
    return result;
  }

  /**
   * An attempt whose transaction failed. The database down: nothing is recorded, the claim's lease
   * brings the entry back. Its data refused (or a bug): it would fail the same way every time, so
   * it goes FAILED now and is mailed, instead of being claimed again every lease for ever.
   */
  async function attemptOrFail(claimed: RetryEntry): Promise<{ outcome: AttemptOutcome; next: RetryEntry | undefined }> {
    try {
      return await attemptOne(claimed);
    } catch (err) {
      if (errorKind(err) === 'infrastructure') throw err;
      await deps.work.run(async (tx) => {
        const held = await lockEntry(tx.conn, claimed);
        if (!isWorkableHead(held)) return;
        await recordAttempt(tx.conn, held, afterFailedRead(applyFailure(err), held.entry.attempts + 1, policy()));
      });
      deps.log.error('retry attempt refused; entry set to FAILED', { id: claimed.id, orderId: claimed.order_id, err });
      deps.onAttempt?.(claimed, 'failed');
      return { outcome: 'failed', next: undefined };
    }
  }

  /** Works an entry and then, while they succeed, the entries its success released. */
  async function drainFrom(first: RetryEntry, stats: RunStats): Promise<void> {
    let current: RetryEntry | undefined = first;
    while (current !== undefined) {
      const { outcome, next } = await attemptOrFail(current);
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
      const claimed = await claimDueHeads(deps.pool, limit, now(), leaseMs, startedAt);
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
      const { outcome, next } = await attemptOrFail(entry);
      if (next !== undefined) await drainFrom(next, { attempted: 0, done: 0, failed: 0 });
      return outcome;
    },
  };
}

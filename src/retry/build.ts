// The retry feature's builder: the worker that works parked events (the jobs builder ticks it)
// and the operator API over the retry table (mounted by the HTTP builder).
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import type { OrderSource } from '../order-service/client';
import { createRetryAdminRouter } from './admin-routes';
import { backoffMs } from './backoff';
import { createRetryWorker, type RetryWorker, type RetryWorkerDeps } from './worker';

export interface RetryOptions {
  config: Config['retry'];
  pool: Pool;
  /** The order service as the pipeline reads it (same gate, same breaker). */
  orders: OrderSource;
  /** Commits each attempt's changes, then tells the push hub. */
  work: UnitOfWork;
  log: Logger;
  /** Heads claimed per round (live setting). */
  batchSize: () => number;
  /** Told about each attempt's outcome (metrics). */
  onAttempt?: RetryWorkerDeps['onAttempt'];
  /** Merchants' time zones, for ticket numbers and local days. */
  zones?: RetryWorkerDeps['zones'];
}

export interface Retry {
  readonly worker: RetryWorker;
  /** The /api/retries routes, for the HTTP builder's `routers`. */
  readonly routes: ReturnType<typeof createRetryAdminRouter>;
}

/** RETRY_MAX_ATTEMPTS and the backoff from RETRY_BACKOFF_BASE_MS, for events parked on arrival. */
export function retryPolicy(config: Config['retry']): { maxAttempts: number; delayMs: (retry: number) => number } {
  return { maxAttempts: config.maxAttempts, delayMs: (retry) => backoffMs(retry, config.backoffBaseMs) };
}

export function buildRetry(o: RetryOptions): Retry {
  const worker = createRetryWorker({
    pool: o.pool,
    orders: o.orders,
    work: o.work,
    log: o.log.child({ component: 'retry' }),
    backoffBaseMs: o.config.backoffBaseMs,
    maxAttempts: o.config.maxAttempts,
    batchSize: o.batchSize,
    onAttempt: o.onAttempt,
    zones: o.zones,
  });
  const routes = createRetryAdminRouter({ pool: o.pool, worker, log: o.log.child({ component: 'retry-admin' }) });
  return { worker, routes };
}

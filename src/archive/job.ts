// The archive job (nightly, ARCHIVE_CRON): moves what is older than ARCHIVE_AFTER_DAYS out of the
// live tables, so the board's and the retry job's indexes stay small.
//
// Batches of `batchSize` keys, each its own short transaction (a nightly job must never hold locks
// on live tables for long: the consumer and the screens keep working during it). Batches are
// idempotent (see ./sql), so an interrupted run (crash, deploy, abort) is resumed by the next run.
// One instance works at a time: the run holds a named lock (GET_LOCK) on its own connection. A
// named lock rather than a job_state row lock because a run lasts minutes: an open transaction
// that long is the wrong tool, while a named lock costs nothing and dies with the connection.
import type { RowDataPacket } from 'mysql2/promise';
import { inTx, type Pool } from '../db/pool';
import type { Logger } from '../log';
import { saveJobState } from '../alerts/job-state';
import { lockBlocked } from '../order-queue/sql';
import {
  countBlockedOld, moveChanges, moveClosedEntries, moveOrders, selectOldChanges, selectOldClosedEntries,
  selectOldOrders, START, type LogCursor, type OrderCursor,
} from './sql';

export interface ArchiveDeps {
  pool: Pool;
  log: Logger;
  afterDays: number;
  /** Keys per transaction (default 500). */
  batchSize?: number;
  clock?: () => Date;
}

export interface ArchiveRunOptions {
  /** Stops between batches once aborted (shutdown). */
  signal?: AbortSignal;
  /** Stops after this many batches (tests; a bounded run in an incident). */
  maxBatches?: number;
}

export interface ArchiveStats {
  orders: number;
  dishes: number;
  retryEntries: number;
  guards: number;
  /** dish_marks rows moved to dish_marks_archive with their orders. */
  dishMarks: number;
  /** stats_marks rows (contributions of archived orders and dishes) dropped. */
  statsMarks: number;
  changes: number;
  /** Orders old enough but kept because they still have PENDING or FAILED retry entries. */
  keptBlocked: number;
  batches: number;
  /** false when stopped early (signal, maxBatches) or another instance was running it. */
  complete: boolean;
  skipped?: 'locked';
}

export interface ArchiveJob {
  runOnce(opts?: ArchiveRunOptions): Promise<ArchiveStats>;
  /** Ends the run in progress after its current batch (shutdown); resolves when it has. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;
const LOCK = "LEFT(CONCAT('kds.archive.', DATABASE()), 64)";

export function createArchiveJob(deps: ArchiveDeps): ArchiveJob {
  const now = deps.clock ?? (() => new Date());
  const size = deps.batchSize ?? 500;

  async function work(cutoff: Date, opts: ArchiveRunOptions, s: ArchiveStats): Promise<void> {
    const more = (): boolean => !(opts.signal?.aborted ?? false) && s.batches < (opts.maxBatches ?? Infinity);

    let cursor: OrderCursor = START;
    while (more()) {
      const batch = await selectOldOrders(deps.pool, cutoff, cursor, size);
      if (batch.length === 0) break;
      cursor = batch[batch.length - 1] as OrderCursor;
      const moved = await inTx(deps.pool, async (conn) => {
        const ids = batch.map((b) => b.orderId).sort();
        const blocked = await lockBlocked(conn, ids);
        const free = ids.filter((id) => !blocked.has(id));
        return free.length === 0 ? undefined : moveOrders(conn, free);
      });
      s.batches += 1;
      if (moved !== undefined) {
        s.orders += moved.orders;
        s.dishes += moved.dishes;
        s.retryEntries += moved.retryEntries;
        s.guards += moved.guards;
        s.dishMarks += moved.dishMarks;
        s.statsMarks += moved.statsMarks;
      }
    }

    let afterId = 0;
    while (more()) {
      const ids = await selectOldClosedEntries(deps.pool, cutoff, afterId, size);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1] as number;
      s.retryEntries += await inTx(deps.pool, (conn) => moveClosedEntries(conn, ids));
      s.batches += 1;
    }

    let logFrom: LogCursor = new Date(0);
    while (more()) {
      const { keys, next } = await selectOldChanges(deps.pool, cutoff, logFrom, size);
      if (keys.length === 0) break;
      logFrom = next;
      s.changes += await inTx(deps.pool, (conn) => moveChanges(conn, keys));
      s.batches += 1;
    }
    s.complete = more();
    s.keptBlocked = await countBlockedOld(deps.pool, cutoff);
  }

  const stopper = new AbortController();
  let running: Promise<ArchiveStats> | undefined;

  async function run(opts: ArchiveRunOptions): Promise<ArchiveStats> {
    const s: ArchiveStats = {
      orders: 0, dishes: 0, retryEntries: 0, guards: 0, dishMarks: 0, statsMarks: 0, changes: 0, keptBlocked: 0, batches: 0, complete: false,
    };
    const cutoff = new Date(now().getTime() - deps.afterDays * DAY_MS);
    const lockConn = await deps.pool.getConnection();
    try {
      const [got] = await lockConn.query<RowDataPacket[]>(`SELECT GET_LOCK(${LOCK}, 0) AS ok`);
      if (Number(got[0]?.ok) !== 1) {
        deps.log.info('archive run skipped: another instance is running it');
        return { ...s, skipped: 'locked' };
      }
      const started = Date.now();
      try {
        const signal = opts.signal === undefined ? stopper.signal : AbortSignal.any([opts.signal, stopper.signal]);
        await work(cutoff, { ...opts, signal }, s);
      } finally {
        await lockConn.query(`SELECT RELEASE_LOCK(${LOCK})`);
      }
      const summary = { ...s, cutoff: cutoff.toISOString(), finishedAt: now().toISOString(), ms: Date.now() - started };
      await saveJobState(deps.pool, 'archive', JSON.stringify(summary));
      deps.log.info('archive run finished', summary);
      return s;
    } finally {
      lockConn.release();
    }
  }

  return {
    runOnce(opts = {}) {
      if (stopper.signal.aborted) return Promise.reject(new Error('archive job stopped'));
      // a cron tick during a long run joins it instead of starting a second one
      running ??= run(opts).finally(() => {
        running = undefined;
      });
      return running;
    },
    async stop() {
      stopper.abort();
      await running?.catch(() => undefined);
    },
  };
}

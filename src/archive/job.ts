// The archive job (nightly, ARCHIVE_CRON): moves what is older than ARCHIVE_AFTER_DAYS out of the
// live tables, so the board's and the retry job's indexes stay small.
//
// The change log leaves by whole UTC days: a day partition wholly older than the horizon's day is
// copied to the archive and dropped (./log-days.ts); the run starts by making the next days'
// partitions.
//
// Batches of `batchSize` keys, each its own short transaction (a nightly job must never hold locks
// on live tables for long: the consumer and the screens keep working during it). Batches are
// idempotent (see ./sql), so an interrupted run (crash, deploy, abort) is resumed by the next run.
// One instance works at a time: the run holds a named lock (GET_LOCK) on its own connection. A
// named lock rather than a job_state row lock because a run lasts minutes: an open transaction
// that long is the wrong tool, while a named lock costs nothing and dies with the connection.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { inTx, type Pool } from '../db/pool';
import type { Logger } from '../log';
import { saveJobState } from '../alerts/job-state';
import { lockBlocked } from '../order-queue/sql';
import { boundsToAdd, logCutoff, partitionBound, wholeDaysBefore } from './log-days';
import { copyDayChunk, dropDay, logPartitions, splitDays, type DayCursor } from './log-days-sql';
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
  /**
   * After each batch the run rests this share of the batch's time, in percent (default 0): the
   * live traffic gets the database in between. ARCHIVE_PAUSE_PCT.
   */
  pausePercent?: number;
  /** How a rest is taken (tests record them); resolves early when the signal aborts. */
  rest?: (ms: number, signal: AbortSignal) => Promise<void>;
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
  /** Days of the change log that left as a partition (their entries are counted in `changes`). */
  logDays: number;
  /** Orders old enough but kept because they still have PENDING or FAILED retry entries. */
  keptBlocked: number;
  batches: number;
  /**
   * Milliseconds each part of the run took: the change log's whole days, the orders with what
   * hangs off them, the closed retry entries, the change log's entries left row by row.
   */
  phaseMs: { days: number; orders: number; retryEntries: number; changes: number };
  /** Of the run's time, how much it rested between batches (deps.pausePercent). */
  restedMs: number;
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
/** A day's copy reads this many batches' worth of entries per statement: one table, no deletes. */
const DAY_CHUNK = 10;
const LOCK = "LEFT(CONCAT('kds.archive.', DATABASE()), 64)";

/** A rest between batches; a stop (the signal) ends it at once. */
async function restFor(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

export function createArchiveJob(deps: ArchiveDeps): ArchiveJob {
  const now = deps.clock ?? (() => new Date());
  const size = deps.batchSize ?? 500;
  const pause = (deps.pausePercent ?? 0) / 100;
  const rest = deps.rest ?? restFor;

  /**
   * The change log's partitions, after splitting the days ahead out of pmax. A split that fails (a DDL that
   * waited too long) is tried again next run; the days already there still leave.
   */
  async function prepareDays(): Promise<string[]> {
    let names: string[] = [];
    try {
      names = await logPartitions(deps.pool);
      if (names.length === 0) return names;
      const add = boundsToAdd(names.map(partitionBound).filter((b): b is Date => b !== undefined), now());
      if (add.length === 0) return names;
      await splitDays(deps.pool, add);
      names = await logPartitions(deps.pool);
    } catch (err) {
      deps.log.warn("archive: the change log's next days were not split this run", { err });
    }
    return names;
  }

  /** Copies each day wholly before `dayCut` to the archive and drops it; returns the rows copied and the days dropped. */
  async function moveWholeDays(dayCut: Date, more: () => boolean, endStep: () => Promise<void>): Promise<{ rows: number; days: number }> {
    const out = { rows: 0, days: 0 };
    for (const day of wholeDaysBefore(await prepareDays(), dayCut)) {
      let from: DayCursor | undefined;
      let done = false;
      while (!done && more()) {
        const chunk = await copyDayChunk(deps.pool, day, from, size * DAY_CHUNK);
        out.rows += chunk.copied;
        await endStep();
        from = chunk.next;
        done = from === undefined;
      }
      if (!done) break;
      try {
        await dropDay(deps.pool, day);
        out.days += 1;
      } catch (err) {
        // copied, still in the live table: the next run copies it again (no change) and drops it
        deps.log.warn('archive: a day of the change log was copied but not dropped this run', { err, day });
        break;
      }
    }
    return out;
  }

  async function work(cutoff: Date, opts: ArchiveRunOptions, s: ArchiveStats): Promise<void> {
    const more = (): boolean => !(opts.signal?.aborted ?? false) && s.batches < (opts.maxBatches ?? Infinity);
    // every batch ends here: counted, then a rest in proportion to its time (deps.pausePercent)
    const signal = opts.signal ?? new AbortController().signal;
    let stepStart = performance.now();
    const endStep = async (): Promise<void> => {
      s.batches += 1;
      if (pause > 0 && more()) {
        const r0 = performance.now();
        await rest((r0 - stepStart) * pause, signal);
        s.restedMs += Math.round(performance.now() - r0);
      }
      stepStart = performance.now();
    };

    let t = performance.now();
    const lap = (): number => {
      const was = t;
      t = performance.now();
      return Math.round(t - was);
    };

    // The change log's whole days (the row-by-row rest comes after the orders)
    const dayCut = logCutoff(cutoff);
    const logDays = await moveWholeDays(dayCut, more, endStep);
    s.changes += logDays.rows;
    s.logDays += logDays.days;
    s.phaseMs.days = lap();

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
      await endStep();
      if (moved !== undefined) {
        s.orders += moved.orders;
        s.dishes += moved.dishes;
        s.retryEntries += moved.retryEntries;
        s.guards += moved.guards;
        s.dishMarks += moved.dishMarks;
        s.statsMarks += moved.statsMarks;
      }
    }

    s.phaseMs.orders = lap();

    let afterId = 0;
    while (more()) {
      const ids = await selectOldClosedEntries(deps.pool, cutoff, afterId, size);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1] as number;
      s.retryEntries += await inTx(deps.pool, (conn) => moveClosedEntries(conn, ids));
      await endStep();
    }

    s.phaseMs.retryEntries = lap();

    // what is left before the day's start, row by row: entries in a partition that also holds
    // newer ones (the first partition, in the week after upgrading to migration 150)
    let logFrom: LogCursor = new Date(0);
    while (more()) {
      const { keys, next } = await selectOldChanges(deps.pool, dayCut, logFrom, size);
      if (keys.length === 0) break;
      logFrom = next;
      s.changes += await inTx(deps.pool, (conn) => moveChanges(conn, keys));
      await endStep();
    }
    s.phaseMs.changes = lap();
    s.complete = more();
    s.keptBlocked = await countBlockedOld(deps.pool, cutoff);
  }

  const stopper = new AbortController();
  let running: Promise<ArchiveStats> | undefined;

  async function run(opts: ArchiveRunOptions): Promise<ArchiveStats> {
    const s: ArchiveStats = {
      orders: 0, dishes: 0, retryEntries: 0, guards: 0, dishMarks: 0, statsMarks: 0, changes: 0, logDays: 0, keptBlocked: 0, batches: 0,
      phaseMs: { days: 0, orders: 0, retryEntries: 0, changes: 0 }, restedMs: 0, complete: false,
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

// What MariaDB did over a phase, from its global status counters read at the phase's start and
// end: row lock waits (a conflict with the live writers), index entries read, redo and
// data fsyncs, and pages read from disk. Tells a tail that comes from waiting on locks from one
// that comes from work.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';

// (MariaDB 10.11 has no Innodb_rows_* counters: the Handler_* ones count the rows read)
export const STATUS_COUNTERS = [
  'Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Innodb_deadlocks',
  'Handler_read_key', 'Handler_read_next', 'Handler_read_rnd_next',
  'Innodb_buffer_pool_reads', 'Innodb_buffer_pool_wait_free', 'Innodb_log_waits',
  'Innodb_data_fsyncs', 'Innodb_os_log_written', 'Questions',
] as const;

export type Counters = Record<string, number>;

interface Queryable {
  query<T extends RowDataPacket[]>(sql: string, values?: unknown): Promise<[T, unknown]>;
}

/** The named global status variables, by name (a name the server lacks is absent). */
async function globalStatus(db: Queryable, names: readonly string[]): Promise<Counters> {
  const [rows] = await db.query<RowDataPacket[]>('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [names]);
  const out: Counters = {};
  for (const r of rows) out[String(r.Variable_name)] = Number(r.Value);
  return out;
}

export function readCounters(db: Queryable): Promise<Counters> {
  return globalStatus(db, STATUS_COUNTERS);
}

/** after − before, counter by counter. */
export function countersSince(before: Counters, after: Counters): Counters {
  const out: Counters = {};
  for (const k of STATUS_COUNTERS) if (k in after) out[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return out;
}

/** One second of the database and the service, for lining up with the live latency's windows. */
export interface Tick {
  /** Seconds since the sampler started. */
  s: number;
  /** Redo written since the last checkpoint (MB) and InnoDB's limit for it. */
  checkpointAgeMb: number;
  dirtyPages: number;
  /** Pages written back in this second. */
  flushed: number;
  historyLength: number;
  /** The KDS's worst event-loop delay since the last scrape (prom-client resets it), ms. */
  kdsLoopMaxMs: number | null;
  /** The benchmark's own worst event-loop delay in this second (publisher, screens, simulator), ms. */
  benchLoopMaxMs: number;
}

const TICK_VARS = ['Innodb_checkpoint_age', 'Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_flushed', 'Innodb_history_list_length'];

/**
 * Samples every second until stopped; `metricsText` is the service's /metrics page. One query and
 * one scrape a second: nothing the live path would notice.
 */
export function startTicks(db: Queryable, metricsText: () => Promise<string>): { stop(): Promise<Tick[]> } {
  const ticks: Tick[] = [];
  const t0 = performance.now();
  let flushedBefore: number | undefined;
  let stopped = false;
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const [v, page] = await Promise.all([globalStatus(db, TICK_VARS), metricsText().catch(() => '')]);
        const flushed = v.Innodb_buffer_pool_pages_flushed ?? 0;
        const lag = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(page)?.[1];
        ticks.push({
          s: Math.round((started - t0) / 100) / 10,
          checkpointAgeMb: Math.round((v.Innodb_checkpoint_age ?? 0) / 1e5) / 10,
          dirtyPages: v.Innodb_buffer_pool_pages_dirty ?? 0,
          flushed: flushedBefore === undefined ? 0 : flushed - flushedBefore,
          historyLength: v.Innodb_history_list_length ?? 0,
          kdsLoopMaxMs: lag === undefined ? null : Math.round(Number(lag) * 1000),
          benchLoopMaxMs: Math.round(benchLoop.max / 1e6),
        });
        benchLoop.reset();
        flushedBefore = flushed;
      } catch {
        // a missed second is a gap in the series, not a failed benchmark
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - started))));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      benchLoop.disable();
      return ticks;
    },
  };
}

// Gauges that need the database: retry-table depth by status and orders blocked behind pending
// entries. Queried on scrape, at most once per cacheMs (several Prometheus servers or a quick
// refresh must not multiply the queries), never per event. Both queries walk small index ranges
// (retry_entries_due on status; order_guards_blocked on open_entries > 0).
import type { RowDataPacket } from 'mysql2/promise';
import { Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/pool';
import { OPEN_SQL } from '../order-queue/states';

export interface DbStats {
  retryByStatus: Record<string, number>;
  blockedOrders: number;
  /** Seconds since the oldest blocked order's blocked_since; 0 when none. */
  oldestBlockedSeconds: number;
}

/** Declared by its user: something that reads the stats (SQL below, or a stub in tests). */
export interface DbGaugeSource {
  read(): Promise<DbStats>;
}

interface StatusRow extends RowDataPacket {
  status: string;
  n: number;
}
interface BlockedRow extends RowDataPacket {
  n: number;
  age_us: number | null;
}

export function sqlDbStats(pool: Pool): DbGaugeSource {
  return {
    async read() {
      const [byStatus] = await pool.query<StatusRow[]>(
        `SELECT status, COUNT(*) AS n FROM retry_entries WHERE status IN ${OPEN_SQL} GROUP BY status`,
      );
      // age computed by the server: blocked_since was written with its clock (NOW(3))
      const [blocked] = await pool.query<BlockedRow[]>(
        'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(blocked_since), NOW(3)) AS age_us FROM order_guards WHERE open_entries > 0',
      );
      const retryByStatus: Record<string, number> = { PENDING: 0, FAILED: 0 };
      for (const r of byStatus) retryByStatus[r.status] = Number(r.n);
      return {
        retryByStatus,
        blockedOrders: Number(blocked[0]?.n ?? 0),
        oldestBlockedSeconds: Math.max(0, Number(blocked[0]?.age_us ?? 0) / 1e6),
      };
    },
  };
}

export function registerDbGauges(registry: Registry, source: DbGaugeSource, cacheMs = 5000): void {
  let cached: { at: number; stats: Promise<DbStats> } | undefined;
  const stats = (): Promise<DbStats> => {
    const t = Date.now();
    if (cached === undefined || t - cached.at >= cacheMs) {
      const p = source.read();
      cached = { at: t, stats: p };
      // a failed read is not cached: the next scrape tries again
      p.catch(() => {
        if (cached?.stats === p) cached = undefined;
      });
    }
    return cached.stats;
  };
  let ok = 0;
  const guarded = async (fn: (s: DbStats) => void): Promise<void> => {
    try {
      fn(await stats());
      ok = 1;
    } catch {
      ok = 0;
    }
  };
  new Gauge({
    name: 'kds_db_stats_up', help: '1 when the database stats query of this scrape succeeded',
    registers: [registry],
    async collect() {
      await guarded(() => undefined);
      this.set(ok);
    },
  });
  new Gauge({
    name: 'kds_retry_entries', help: 'Retry-table entries by status (PENDING waiting, FAILED gave up: needs an operator)',
    labelNames: ['status'], registers: [registry],
    collect() {
      return guarded((s) => {
        for (const [status, n] of Object.entries(s.retryByStatus)) this.set({ status }, n);
      });
    },
  });
  new Gauge({
    name: 'kds_blocked_orders', help: 'Orders with events waiting behind a pending retry entry',
    registers: [registry],
    collect() {
      return guarded((s) => this.set(s.blockedOrders));
    },
  });
  new Gauge({
    name: 'kds_blocked_oldest_age_seconds', help: 'Age of the oldest blocked order (since its first entry was parked)',
    registers: [registry],
    collect() {
      return guarded((s) => this.set(s.oldestBlockedSeconds));
    },
  });
}

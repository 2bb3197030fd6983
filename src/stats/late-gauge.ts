// Monitoring without a label per merchant (thousands of merchants would explode Prometheus): how
// many merchants have a late dish, and how long the oldest has been late. Late (contract "Kitchen
// workflows"): a fired dish still WAITING past its dueAt, or without a target past firedAt +
// LATE_AFTER_S; a held dish is never late.
// Read on scrape, at most once per cacheMs. The query walks dishes_board (merchant_id, state,
// placed_at) as a loose index scan: one MIN per merchant's WAITING range, not every open dish.
import type { RowDataPacket } from 'mysql2/promise';
import { Gauge, type Registry } from 'prom-client';
import { cachedCheck } from '../readiness/cached-check';
import type { Pool } from '../db/pool';

export interface LateMerchants {
  merchants: number;
  oldestWaitingSeconds: number;
}

export interface LateMerchantsSource {
  read(): Promise<LateMerchants>;
}

export function sqlLateMerchants(pool: Pool, lateAfterS: number, boardDays: number): LateMerchantsSource {
  return {
    async read() {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(oldest), UTC_TIMESTAMP(3)) AS age_us
           FROM (SELECT merchant_id,
                        MIN(CASE WHEN COALESCE(due_at, fired_at + INTERVAL ? SECOND) < UTC_TIMESTAMP(3) THEN fired_at END) AS oldest
                   FROM dishes FORCE INDEX (dishes_board)
                  WHERE state = 'WAITING' AND held = 0 AND placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
                  GROUP BY merchant_id) w
          WHERE oldest IS NOT NULL`,
        [lateAfterS, boardDays],
      );
      return { merchants: Number(rows[0]?.n ?? 0), oldestWaitingSeconds: Math.max(0, Number(rows[0]?.age_us ?? 0) / 1e6) };
    },
  };
}

export function registerLateMerchantsGauge(registry: Registry, source: LateMerchantsSource, cacheMs = 10_000): void {
  // one read per cacheMs however many scrapes; a failed read is not kept
  const read = cachedCheck(() => source.read(), { maxAgeMs: cacheMs });
  new Gauge({
    name: 'kds_merchants_with_late_tickets',
    help: 'Merchants with a late dish: fired, WAITING past its dueAt or, without a prep target, past firedAt + LATE_AFTER_S (within BOARD_DAYS); cluster-wide, from MySQL',
    registers: [registry],
    async collect() {
      try {
        this.set((await read()).merchants);
      } catch {
        // the database gauges' kds_db_stats_up reports a failing database; keep the last value
      }
    },
  });
  new Gauge({
    name: 'kds_late_ticket_oldest_seconds',
    help: 'How long the oldest late WAITING dish of any merchant has waited since it was fired (0 when none is late)',
    registers: [registry],
    async collect() {
      try {
        const v = await read();
        this.set(v.merchants === 0 ? 0 : v.oldestWaitingSeconds);
      } catch {
        // as above
      }
    },
  });
}

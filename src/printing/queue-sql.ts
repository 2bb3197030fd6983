// Statements of the print queue and the fallback state (one function per query). Times are the
// database's clock (UTC_TIMESTAMP), the same for every instance.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../db/pool';
import type { FallbackState, StationRef } from './fallback';
import { FIRED_AT_SQL, FIRED_SQL } from './fired';
import { toPrinter, type PrinterRow } from './printers-sql';

/** Printers whose fallback state may move: every one in `fallback` mode, and any other still marked in fallback. */
export async function selectFallbackStates(pool: Pool): Promise<FallbackState[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT merchant_id, station, mode, fallback_since IS NOT NULL AS in_fallback,
            TIMESTAMPDIFF(MICROSECOND, mode_since, UTC_TIMESTAMP(3)) AS mode_age_us
       FROM print_printers
      WHERE mode = 'fallback' OR fallback_since IS NOT NULL`,
  );
  return rows.map((r) => ({
    merchantId: String(r.merchant_id), station: String(r.station), mode: String(r.mode),
    inFallback: Number(r.in_fallback) === 1, modeAgeMs: Math.floor(Number(r.mode_age_us) / 1000),
  }));
}

const pairs = (refs: readonly StationRef[]): { sql: string; params: string[] } => ({
  sql: refs.map(() => '(?, ?)').join(', '),
  params: refs.flatMap((r) => [r.merchantId, r.station]),
});

/**
 * Stations that enter fallback. Idempotent: every instance runs it, the first one sets
 * `fallback_since`; the mode's age is checked again here, so a mode set meanwhile waits its turn.
 */
export async function enterFallback(pool: Pool, refs: readonly StationRef[], afterUs: number): Promise<number> {
  if (refs.length === 0) return 0;
  const p = pairs(refs);
  const [r] = await pool.query<ResultSetHeader>(
    `UPDATE print_printers SET fallback_since = UTC_TIMESTAMP(3)
      WHERE (merchant_id, station) IN (${p.sql})
        AND mode = 'fallback' AND fallback_since IS NULL AND mode_since < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND`,
    [...p.params, afterUs],
  );
  return r.affectedRows;
}

export async function leaveFallback(pool: Pool, refs: readonly StationRef[]): Promise<number> {
  if (refs.length === 0) return 0;
  const p = pairs(refs);
  const [r] = await pool.query<ResultSetHeader>(
    `UPDATE print_printers SET fallback_since = NULL WHERE (merchant_id, station) IN (${p.sql}) AND fallback_since IS NOT NULL`,
    p.params,
  );
  return r.affectedRows;
}

interface DueDish {
  merchantId: string;
  station: string;
  orderId: string;
  itemId: string;
  fireKey: Date;
  backup: boolean;
}

/**
 * Fired WAITING dishes that a printer must print and that have no slip for this firing yet:
 * every station in `always` mode (dishes fired since the mode was set) and every station in
 * fallback. A plain read (no locks on dishes): the unique key of print_jobs settles races.
 */
export async function selectDueDishes(pool: Pool, boardDays: number): Promise<DueDish[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT d.merchant_id, d.station, d.order_id, d.item_id, ${FIRED_AT_SQL} AS fire_key, p.mode
       FROM print_printers p
       JOIN dishes d FORCE INDEX (dishes_board)
         ON d.merchant_id = p.merchant_id AND d.state = 'WAITING' AND d.station = p.station
      WHERE (p.mode = 'always' OR (p.mode = 'fallback' AND p.fallback_since IS NOT NULL))
        AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
        AND ${FIRED_SQL}
        AND (p.mode <> 'always' OR ${FIRED_AT_SQL} >= p.mode_since)
        AND NOT EXISTS (SELECT 1 FROM print_jobs j WHERE j.item_id = d.item_id AND j.fire_key = ${FIRED_AT_SQL})
      ORDER BY d.placed_at, d.order_id, d.item_id
      LIMIT 1000`,
    [boardDays],
  );
  return rows.map((r) => ({
    merchantId: String(r.merchant_id), station: String(r.station), orderId: String(r.order_id),
    itemId: String(r.item_id), fireKey: r.fire_key as Date, backup: r.mode === 'fallback',
  }));
}

/** Queues slips; a dish already queued for the same firing (another instance was first) is ignored. */
export async function insertJobs(
  pool: Pool,
  jobs: ReadonlyArray<{ merchantId: string; station: string; orderId: string; itemId: string; fireKey: Date | null; backup: boolean; asked: boolean }>,
): Promise<number> {
  if (jobs.length === 0) return 0;
  const [r] = await pool.query<ResultSetHeader>(
    `INSERT INTO print_jobs
       (merchant_id, station, order_id, item_id, fire_key, backup, asked, status, next_attempt_at, created_at)
     VALUES ${jobs.map(() => "(?, ?, ?, ?, ?, ?, ?, 'QUEUED', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))").join(', ')}
     ON DUPLICATE KEY UPDATE id = id`,
    jobs.flatMap((j) => [j.merchantId, j.station, j.orderId, j.itemId, j.fireKey, j.backup ? 1 : 0, j.asked ? 1 : 0]),
  );
  return r.affectedRows;
}

/**
 * Claims printers with due slips for `leaseMs` (design note 10: SKIP LOCKED, so instances claim
 * different printers and never wait on each other); the lease, not a held lock, keeps other
 * instances off while the slips are written, and expires if this instance dies mid-write.
 */
export async function claimPrinters(conn: Conn, owner: string, leaseMs: number, limit: number): Promise<PrinterRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT p.* FROM print_printers p
      WHERE p.mode <> 'off' AND (p.lease_until IS NULL OR p.lease_until < UTC_TIMESTAMP(3))
        AND EXISTS (SELECT 1 FROM print_jobs j
                     WHERE j.merchant_id = p.merchant_id AND j.station = p.station
                       AND j.status = 'QUEUED' AND j.next_attempt_at <= UTC_TIMESTAMP(3))
      ORDER BY p.merchant_id, p.station
      LIMIT ? FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  const printers = rows.map(toPrinter);
  for (const p of printers) {
    await conn.query(
      `UPDATE print_printers SET lease_owner = ?, lease_until = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
        WHERE merchant_id = ? AND station = ?`,
      [owner, leaseMs * 1000, p.merchantId, p.station],
    );
  }
  return printers;
}

export async function releasePrinter(pool: Pool, owner: string, merchantId: string, station: string): Promise<void> {
  await pool.query(
    'UPDATE print_printers SET lease_owner = NULL, lease_until = NULL WHERE merchant_id = ? AND station = ? AND lease_owner = ?',
    [merchantId, station, owner],
  );
}

export interface JobRow {
  id: number;
  orderId: string;
  itemId: string;
  backup: boolean;
  asked: boolean;
  attempts: number;
  /** null when the dish was archived */
  dish: { name: string; quantity: number; note: string | null; state: string } | null;
  order: { ticketNo: number | null; tableNo: string | null; channel: string; platform: string | null; pickupAt: Date | null } | null;
}

/** The printer's due slips, oldest first, with what they print. */
export async function selectDueJobs(pool: Pool, merchantId: string, station: string, limit: number): Promise<JobRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT j.id, j.order_id, j.item_id, j.backup, j.asked, j.attempts,
            d.item_id AS d_item, d.name, d.quantity, d.note, d.state,
            o.order_id AS o_order, o.ticket_no, o.table_no, o.channel, o.platform, o.pickup_at
       FROM print_jobs j
       LEFT JOIN dishes d ON d.item_id = j.item_id
       LEFT JOIN orders o ON o.order_id = j.order_id
      WHERE j.merchant_id = ? AND j.station = ? AND j.status = 'QUEUED' AND j.next_attempt_at <= UTC_TIMESTAMP(3)
      ORDER BY j.id
      LIMIT ?`,
    [merchantId, station, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id), orderId: String(r.order_id), itemId: String(r.item_id), backup: Number(r.backup) === 1,
    asked: Number(r.asked) === 1, attempts: Number(r.attempts),
    dish: r.d_item === null ? null : { name: String(r.name), quantity: Number(r.quantity), note: (r.note as string | null) ?? null, state: String(r.state) },
    order: r.o_order === null ? null : {
      ticketNo: r.ticket_no === null ? null : Number(r.ticket_no), tableNo: (r.table_no as string | null) ?? null,
      channel: String(r.channel), platform: (r.platform as string | null) ?? null, pickupAt: (r.pickup_at as Date | null) ?? null,
    },
  }));
}

/** Counted before the bytes go out: a slip whose write is cut off is printed again as a reprint. */
export async function markStarted(pool: Pool, ids: readonly number[]): Promise<void> {
  await pool.query('UPDATE print_jobs SET attempts = attempts + 1 WHERE id IN (?)', [ids]);
}

export async function markPrinted(pool: Pool, ids: readonly number[]): Promise<void> {
  await pool.query(
    "UPDATE print_jobs SET status = 'PRINTED', printed_at = UTC_TIMESTAMP(3), last_error = NULL WHERE id IN (?) AND status = 'QUEUED'",
    [ids],
  );
}

export async function markFailed(pool: Pool, ids: readonly number[], delayMs: number, error: string): Promise<void> {
  await pool.query(
    `UPDATE print_jobs SET next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, last_error = ?
      WHERE id IN (?) AND status = 'QUEUED'`,
    [delayMs * 1000, error.slice(0, 255), ids],
  );
}

export async function markSkipped(pool: Pool, ids: readonly number[], why: string): Promise<void> {
  await pool.query("UPDATE print_jobs SET status = 'SKIPPED', last_error = ? WHERE id IN (?) AND status = 'QUEUED'", [why, ids]);
}

export interface QueueStats {
  queued: number;
  oldestSeconds: number;
}

/** The backlog of the whole environment (for the gauges). */
export async function selectQueueStats(pool: Pool): Promise<QueueStats> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) AS age_us
       FROM print_jobs WHERE status = 'QUEUED'`,
  );
  return { queued: Number(rows[0]?.n ?? 0), oldestSeconds: Math.max(0, Number(rows[0]?.age_us ?? 0) / 1e6) };
}

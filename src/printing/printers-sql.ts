// Statements on print_printers (one function per query).
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import type { PrinterEncoding } from './escpos';

export type PrintMode = 'fallback' | 'always' | 'off';
export const PRINT_MODES: readonly PrintMode[] = ['fallback', 'always', 'off'];

export interface PrinterSpec {
  host: string;
  port: number;
  encoding: PrinterEncoding;
  mode: PrintMode;
  width: 32 | 48;
}

export interface PrinterRow extends PrinterSpec {
  merchantId: string;
  station: string;
  modeSince: Date;
  fallbackSince: Date | null;
}

export interface PrinterView {
  merchantId: string;
  station: string;
  host: string;
  port: number;
  encoding: PrinterEncoding;
  mode: PrintMode;
  width: 32 | 48;
  /** set while the station prints because no screen of it is connected */
  fallbackSince: string | null;
  /** slips (dishes) waiting for this printer */
  queued: number;
  oldestQueuedAt: string | null;
  lastError: string | null;
}

export function toPrinter(r: RowDataPacket): PrinterRow {
  return {
    merchantId: String(r.merchant_id),
    station: String(r.station),
    host: String(r.host),
    port: Number(r.port),
    encoding: r.encoding === 'UTF-8' ? 'UTF-8' : 'GB18030',
    mode: (PRINT_MODES as readonly string[]).includes(String(r.mode)) ? (r.mode as PrintMode) : 'off',
    width: Number(r.width) === 32 ? 32 : 48,
    modeSince: r.mode_since as Date,
    fallbackSince: (r.fallback_since as Date | null) ?? null,
  };
}

/** Creates or replaces a station's printer; a changed mode restarts its clock and ends a fallback. */
export async function upsertPrinter(pool: Pool, merchantId: string, station: string, p: PrinterSpec): Promise<void> {
  await pool.query(
    `INSERT INTO print_printers (merchant_id, station, host, port, encoding, mode, width, mode_since, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))
     ON DUPLICATE KEY UPDATE
       fallback_since = IF(mode = VALUES(mode), fallback_since, NULL),
       mode_since = IF(mode = VALUES(mode), mode_since, VALUES(mode_since)),
       host = VALUES(host), port = VALUES(port), encoding = VALUES(encoding), mode = VALUES(mode),
       width = VALUES(width), updated_at = VALUES(updated_at)`,
    [merchantId, station, p.host, p.port, p.encoding, p.mode, p.width],
  );
}

/** A printer switched off drops what it had queued (nothing would ever print it). */
export async function skipQueuedOfPrinter(pool: Pool, merchantId: string, station: string): Promise<number> {
  const [r] = await pool.query<ResultSetHeader>(
    `UPDATE print_jobs SET status = 'SKIPPED', last_error = 'printer switched off'
      WHERE merchant_id = ? AND station = ? AND status = 'QUEUED'`,
    [merchantId, station],
  );
  return r.affectedRows;
}

export async function selectPrinters(pool: Pool, merchantId: string, station?: string): Promise<PrinterView[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT p.*,
            (SELECT COUNT(*) FROM print_jobs j
              WHERE j.merchant_id = p.merchant_id AND j.station = p.station AND j.status = 'QUEUED') AS queued,
            (SELECT MIN(j.created_at) FROM print_jobs j
              WHERE j.merchant_id = p.merchant_id AND j.station = p.station AND j.status = 'QUEUED') AS oldest,
            (SELECT j.last_error FROM print_jobs j
              WHERE j.merchant_id = p.merchant_id AND j.station = p.station AND j.status = 'QUEUED'
                AND j.last_error IS NOT NULL ORDER BY j.id DESC LIMIT 1) AS last_error
       FROM print_printers p
      WHERE p.merchant_id = ? AND (? IS NULL OR p.station = ?)
      ORDER BY p.station`,
    [merchantId, station ?? null, station ?? null],
  );
  return rows.map((r) => {
    const p = toPrinter(r);
    return {
      merchantId: p.merchantId, station: p.station, host: p.host, port: p.port, encoding: p.encoding, mode: p.mode,
      width: p.width, fallbackSince: p.fallbackSince?.toISOString() ?? null, queued: Number(r.queued),
      oldestQueuedAt: r.oldest instanceof Date ? r.oldest.toISOString() : null,
      lastError: typeof r.last_error === 'string' ? r.last_error : null,
    };
  });
}

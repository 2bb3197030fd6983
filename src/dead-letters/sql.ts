// Statements of the on-call console on dead letters (migration 120 added status and replay
// history). Rows are written by the consumer's path (src/pipeline/sql/dead-letter.ts); these read
// them, settle them after a replay and discard them.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import type { RecordOutcome, SourcedRecord } from '../pipeline/record-path';

export const DEAD_LETTER_STATUSES = ['KEPT', 'DISCARDED'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetterRow extends RowDataPacket {
  id: number;
  topic: string;
  partition_no: number;
  offset_no: number | string;
  record_key: Buffer | null;
  raw_value: Buffer | null;
  headers: string | null;
  reason: string;
  detail: string | null;
  created_at: Date;
  status: string;
  discarded_at: Date | null;
  replays: number;
  last_replay_at: Date | null;
  last_outcome: string | null;
}

const COLUMNS = `id, topic, partition_no, offset_no, record_key, raw_value, headers, reason, detail, created_at,
  status, discarded_at, replays, last_replay_at, last_outcome`;

/** Newest first; `beforeId` pages on. */
export async function listDeadLetters(pool: Pool, status: DeadLetterStatus, beforeId: number | undefined, limit: number): Promise<DeadLetterRow[]> {
  const [rows] = await pool.query<DeadLetterRow[]>(
    `SELECT ${COLUMNS} FROM dead_letters WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    [status, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
  );
  return rows;
}

export async function getDeadLetter(pool: Pool, id: number): Promise<DeadLetterRow | undefined> {
  const [rows] = await pool.query<DeadLetterRow[]>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = ?`, [id]);
  return rows[0];
}

/** The stored record as Kafka handed it over (headers as stored: first value of each, as text). */
export function recordOf(r: DeadLetterRow): SourcedRecord {
  return {
    topic: r.topic, partition: Number(r.partition_no), offset: String(r.offset_no),
    key: r.record_key, value: r.raw_value, headers: parseHeaders(r.headers),
  };
}

export function parseHeaders(raw: string | null): Record<string, string> {
  if (raw === null) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {}; // cut by clipText when it was too large: the value alone is still worth showing
  }
}

/**
 * After a replay: a record that failed again stays KEPT (its reason was updated by the store);
 * one that went through (applied, duplicate, parked) is settled as DISCARDED, so the default list
 * shows only what still needs a person; `last_outcome` says why it left.
 */
export async function recordReplay(pool: Pool, id: number, outcome: RecordOutcome): Promise<void> {
  await pool.query<ResultSetHeader>(
    `UPDATE dead_letters
        SET replays = replays + 1, last_replay_at = CURRENT_TIMESTAMP(3), last_outcome = ?,
            status = IF(? = 'dead_lettered', 'KEPT', 'DISCARDED'),
            discarded_at = IF(? = 'dead_lettered', NULL, COALESCE(discarded_at, CURRENT_TIMESTAMP(3))),
            updated_at = CURRENT_TIMESTAMP(3)
      WHERE id = ?`,
    [outcome, outcome, outcome, id],
  );
}

/** Idempotent: a DISCARDED row keeps its first discarded_at. False when there is no such row. */
export async function discardDeadLetter(pool: Pool, id: number): Promise<boolean> {
  const [res] = await pool.query<ResultSetHeader>(
    `UPDATE dead_letters SET status = 'DISCARDED', discarded_at = COALESCE(discarded_at, CURRENT_TIMESTAMP(3)),
            updated_at = CURRENT_TIMESTAMP(3)
      WHERE id = ?`,
    [id],
  );
  return res.affectedRows > 0;
}

/** KEPT dead letters, for the console's headline. */
export async function countKept(pool: Pool): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM dead_letters WHERE status = 'KEPT'");
  return Number(rows[0]?.n ?? 0);
}

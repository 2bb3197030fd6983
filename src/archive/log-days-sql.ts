// Statements of the change log's day partitions (migration 150; ./log-days.ts says which). The
// DDL here touches a live table, and a DDL waits for every transaction that has used the table
// and makes every statement after it wait too: a short lock_wait_timeout turns a long wait into an
// error, so a busy moment costs one night's split or drop (retried the next night), never the
// live traffic.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import { MAX_PARTITION, partitionBound, partitionClause } from './log-days';
import { copySql, LOG_COLS } from './sql';

const DDL_LOCK_WAIT_S = 5;

/** The change log's partition names; empty when the table is not partitioned. */
export async function logPartitions(pool: Pool): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'change_log' AND PARTITION_NAME IS NOT NULL
      ORDER BY PARTITION_ORDINAL_POSITION`,
  );
  return rows.map((r) => String(r.name));
}

/** Only names this module makes reach SQL text (partition names cannot be bound as values). */
function ours(name: string): string {
  if (name !== MAX_PARTITION && partitionBound(name) === undefined) throw new Error(`not a day partition: ${name}`);
  return name;
}

async function ddl(pool: Pool, sql: string): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.query(`SET SESSION lock_wait_timeout = ${DDL_LOCK_WAIT_S}`);
    try {
      await conn.query(sql);
    } finally {
      await conn.query('SET SESSION lock_wait_timeout = @@GLOBAL.lock_wait_timeout');
    }
  } finally {
    conn.release();
  }
}

/** Splits the new day bounds out of pmax (empty when the days were made ahead, so no rows move). */
export async function splitDays(pool: Pool, bounds: readonly Date[]): Promise<void> {
  if (bounds.length === 0) return;
  const parts = bounds.map(partitionClause).join(', ');
  await ddl(pool, `ALTER TABLE change_log REORGANIZE PARTITION ${MAX_PARTITION} INTO (${parts}, PARTITION ${MAX_PARTITION} VALUES LESS THAN (MAXVALUE))`);
}

/** The primary key of the last entry copied. */
export interface DayCursor {
  merchantId: string;
  seq: number;
}

/** Entries after `at` (`>`), or up to and including it (`<`), in primary key order. */
function beyond(at: DayCursor | undefined, op: '>' | '<'): { sql: string; args: unknown[] } {
  if (at === undefined) return { sql: '1 = 1', args: [] };
  return { sql: `(merchant_id ${op} ? OR (merchant_id = ? AND seq ${op === '>' ? '>' : '<='} ?))`, args: [at.merchantId, at.merchantId, at.seq] };
}

/**
 * Copies the next `limit` entries of a partition after `from` (primary key order) into the archive
 * (the upsert makes a copy repeated after an interrupted run harmless). Returns how many it read
 * and where the next chunk starts, or undefined when the partition is done.
 */
export async function copyDayChunk(pool: Pool, name: string, from: DayCursor | undefined, limit: number): Promise<{ copied: number; next: DayCursor | undefined }> {
  const part = ours(name);
  const start = beyond(from, '>');
  const [ends] = await pool.query<RowDataPacket[]>(
    `SELECT merchant_id, seq FROM change_log PARTITION (${part}) WHERE ${start.sql} ORDER BY merchant_id, seq LIMIT 1 OFFSET ?`,
    [...start.args, limit - 1],
  );
  const last = ends[0];
  const end = last === undefined ? undefined : { merchantId: String(last.merchant_id), seq: Number(last.seq) };
  const upTo = beyond(end, '<');
  const [res] = await pool.query<ResultSetHeader>(copySql('change_log', LOG_COLS, `${start.sql} AND ${upTo.sql}`, part), [...start.args, ...upTo.args]);
  return { copied: Number(/Records:\s*(\d+)/.exec(res.info)?.[1] ?? 0), next: end };
}

/** Drops a day whose entries are all in the archive: no row is deleted one by one. */
export async function dropDay(pool: Pool, name: string): Promise<void> {
  await ddl(pool, `ALTER TABLE change_log DROP PARTITION ${ours(name)}`);
}

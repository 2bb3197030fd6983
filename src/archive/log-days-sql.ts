// Statements of the change log's day partitions (migration 150; ./log-days.ts says which). The
// DDL here touches a live table, and a DDL waits for every transaction that has used the table
// and makes every statement after it wait too: a short lock_wait_timeout turns a long wait into an
// error, so a busy moment costs one night's split or drop (retried the next night), never the
// live traffic. Written for a table descriptor (`DayLog`) so another append-only table could be
// partitioned the same way; the dish marks were tried and did not pay (docs/throughput.md).
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../db/pool';
import { MAX_PARTITION, partitionBound, partitionName } from './log-days';
import { copySql, LOG_COLS } from './sql';

const DDL_LOCK_WAIT_S = 5;

/** A log partitioned by UTC day, and its primary key's leading columns. */
export interface DayLog {
  table: 'change_log';
  cols: readonly string[];
  /** Unique within a partition; the copy walks a partition in this order. */
  key: readonly [string, string];
}

export const CHANGE_LOG: DayLog = { table: 'change_log', cols: LOG_COLS, key: ['merchant_id', 'seq'] };

/** A log's partition names; empty when the table is not partitioned. */
export async function logPartitions(pool: Pool, log: DayLog): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL
      ORDER BY PARTITION_ORDINAL_POSITION`,
    [log.table],
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
export async function splitDays(pool: Pool, log: DayLog, bounds: readonly Date[]): Promise<void> {
  if (bounds.length === 0) return;
  const parts = bounds.map((b) => `PARTITION ${partitionName(b)} VALUES LESS THAN ('${b.toISOString().slice(0, 10)} 00:00:00')`);
  await ddl(pool, `ALTER TABLE ${log.table} REORGANIZE PARTITION ${MAX_PARTITION} INTO (${parts.join(', ')}, PARTITION ${MAX_PARTITION} VALUES LESS THAN (MAXVALUE))`);
}

/** The key of the last entry copied. */
export type DayCursor = readonly unknown[];

/** Entries after `from` (`>`), or up to `to` (`<=`), in key order. */
function beyond(key: DayLog['key'], at: DayCursor | undefined, op: '>' | '<'): { sql: string; args: unknown[] } {
  if (at === undefined) return { sql: '1 = 1', args: [] };
  const [a, b] = key;
  return { sql: `(${a} ${op} ? OR (${a} = ? AND ${b} ${op === '>' ? '>' : '<='} ?))`, args: [at[0], at[0], at[1]] };
}

/**
 * Copies the next `limit` entries of a partition after `from` (primary key order) into the archive
 * (the upsert makes a copy repeated after an interrupted run harmless). Returns how many it read
 * and where the next chunk starts, or undefined when the partition is done.
 */
export async function copyDayChunk(
  pool: Pool, log: DayLog, name: string, from: DayCursor | undefined, limit: number,
): Promise<{ copied: number; next: DayCursor | undefined }> {
  const part = ours(name);
  const key = log.key.join(', ');
  const start = beyond(log.key, from, '>');
  const [ends] = await pool.query<RowDataPacket[]>(
    `SELECT ${key} FROM ${log.table} PARTITION (${part}) WHERE ${start.sql} ORDER BY ${key} LIMIT 1 OFFSET ?`,
    [...start.args, limit - 1],
  );
  const last = ends[0];
  const end = last === undefined ? undefined : log.key.map((k) => last[k] as unknown);
  const upTo = beyond(log.key, end, '<');
  const [res] = await pool.query<ResultSetHeader>(copySql(log.table, log.cols, `${start.sql} AND ${upTo.sql}`, part), [...start.args, ...upTo.args]);
  return { copied: Number(/Records:\s*(\d+)/.exec(res.info)?.[1] ?? 0), next: end };
}

/** Drops a day whose entries are all in the archive: no row is deleted one by one. */
export async function dropDay(pool: Pool, log: DayLog, name: string): Promise<void> {
  await ddl(pool, `ALTER TABLE ${log.table} DROP PARTITION ${ours(name)}`);
}

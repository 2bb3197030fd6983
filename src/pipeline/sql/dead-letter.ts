import type { ResultSetHeader } from 'mysql2/promise';
import type { Pool } from '../../db/pool';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  reason: string;
  detail: string;
}

/** Idempotent per record: a redelivery after a crash stores it once. */
export async function storeDeadLetter(pool: Pool, d: DeadLetter): Promise<void> {
  await pool.query<ResultSetHeader>(
    `INSERT INTO dead_letters (topic, partition_no, offset_no, record_key, raw_value, headers, reason, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE id = id`,
    [
      d.topic, d.partition, d.offset, d.key?.subarray(0, 1024) ?? null, d.value,
      JSON.stringify(d.headers), d.reason, d.detail.slice(0, 65_000),
    ],
  );
}

// Records kept for an operator instead of applied: contract breaks, and records the database refused
// even to park. The on-call console reads and replays them (src/dead-letters/). Storing one must not fail in turn (that would stall the partition): every column is
// made to fit, and a record the database still refuses is kept without its bytes.
import type { ResultSetHeader } from 'mysql2/promise';
import { classified } from '../../db/errors';
import { clipText, TEXT_BYTES } from '../../db/fit';
import type { Pool } from '../../db/pool';
import { errorKind, describeError } from '../../errors';

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

/** dead_letters.headers is MEDIUMTEXT (migration 004). */
const MEDIUMTEXT_BYTES = 16_777_215;

async function insert(pool: Pool, d: DeadLetter, keepBytes: boolean): Promise<void> {
  await classified(() =>
    pool.query<ResultSetHeader>(
      `INSERT INTO dead_letters (topic, partition_no, offset_no, record_key, raw_value, headers, reason, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE reason = VALUES(reason), detail = VALUES(detail), updated_at = CURRENT_TIMESTAMP(3)`,
      [
        d.topic.slice(0, 255), d.partition, d.offset, d.key?.subarray(0, 1024) ?? null, keepBytes ? d.value : null,
        keepBytes ? clipText(JSON.stringify(d.headers), MEDIUMTEXT_BYTES) : null, d.reason.slice(0, 64), clipText(d.detail, TEXT_BYTES),
      ],
    ),
  );
}

/**
 * One row per record (topic, partition, offset): a redelivery after a crash stores it once, and a
 * replay that fails again (src/dead-letters/replay.ts) leaves that one row with the new reason.
 * The bytes of the first store stay.
 */
export async function storeDeadLetter(pool: Pool, d: DeadLetter): Promise<void> {
  try {
    await insert(pool, d, true);
  } catch (err) {
    if (errorKind(err) !== 'permanent') throw err;
    // e.g. a value over max_allowed_packet: keep where it was and why, so it can be read from Kafka
    await insert(pool, {
      ...d,
      detail: `${d.detail} — stored without its value and headers (${d.value?.length ?? 0} bytes): ${describeError(err)}`,
    }, false);
  }
}

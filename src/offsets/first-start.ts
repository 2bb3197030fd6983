// The group's first start in MySQL (migration 080), one row per group id. Instances starting
// together race on the insert: ON DUPLICATE KEY UPDATE makes every insert after the first a no-op
// (unlike INSERT IGNORE, it still refuses a group id that does not fit), and every instance then
// reads back the one row that won, so all of them resolve bare partitions to the same moment.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { classified } from '../db/errors';
import type { Pool } from '../db/pool';
import type { FirstStart } from './rule';

export async function insertFirstStart(pool: Pool, groupId: string, s: FirstStart): Promise<void> {
  await classified(() =>
    pool.query<ResultSetHeader>(
      `INSERT INTO consumer_group_starts (group_id, started_at, from_beginning) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE group_id = group_id`,
      [groupId, s.startedAt, s.fromBeginning ? 1 : 0],
    ),
  );
}

export async function selectFirstStart(pool: Pool, groupId: string): Promise<FirstStart | undefined> {
  const [rows] = await classified(() =>
    pool.query<RowDataPacket[]>('SELECT started_at, from_beginning FROM consumer_group_starts WHERE group_id = ?', [groupId]),
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return { startedAt: new Date(row.started_at as Date), fromBeginning: Number(row.from_beginning) === 1 };
}

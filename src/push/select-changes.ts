import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ChangeRow } from './frames';

/** The next `limit` changes of a merchant after `afterSeq`, in seq order (primary key range). */
export async function selectChangesAfter(
  db: Connection,
  merchantId: string,
  afterSeq: number,
  limit: number,
): Promise<ChangeRow[]> {
  const [rows] = await db.query<(ChangeRow & RowDataPacket)[]>(
    `SELECT seq, kind, order_id, serve, payload, created_at
       FROM change_log
      WHERE merchant_id = ? AND seq > ?
      ORDER BY seq
      LIMIT ?`,
    [merchantId, afterSeq, limit],
  );
  return rows;
}

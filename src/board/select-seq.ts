import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The merchant's latest committed change seq; 0 before its first change. */
export async function selectMerchantSeq(db: Connection, merchantId: string): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT seq FROM merchant_seq WHERE merchant_id = ?', [merchantId]);
  return rows[0] === undefined ? 0 : Number(rows[0].seq);
}

import type { Connection, RowDataPacket } from 'mysql2/promise';

/** Latest seq of each given merchant (merchants without changes are absent). One query per poll. */
export async function selectMerchantSeqs(db: Connection, merchantIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (merchantIds.length === 0) return out;
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT merchant_id, seq FROM merchant_seq WHERE merchant_id IN (?)',
    [merchantIds],
  );
  for (const r of rows) out.set(String(r.merchant_id), Number(r.seq));
  return out;
}

import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The time zones set for these merchants (merchants without a setting are absent). */
export async function selectZones(db: Connection, merchantIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (merchantIds.length === 0) return out;
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT merchant_id, time_zone FROM merchant_settings WHERE merchant_id IN (?) AND time_zone IS NOT NULL',
    [merchantIds],
  );
  for (const r of rows) out.set(String(r.merchant_id), String(r.time_zone));
  return out;
}

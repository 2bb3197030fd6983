import type { Connection } from 'mysql2/promise';

export async function upsertZone(db: Connection, merchantId: string, timeZone: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO merchant_settings (merchant_id, time_zone, updated_at) VALUES (?, ?, ?)
     ON DUPLICATE KEY UPDATE time_zone = VALUES(time_zone), updated_at = VALUES(updated_at)`,
    [merchantId, timeZone, at],
  );
}

import type { Connection } from 'mysql2/promise';

/** Sets revoked_at once; revoking again keeps the first time (the call is idempotent). */
export async function revokeDevice(db: Connection, deviceId: string): Promise<void> {
  await db.query('UPDATE devices SET revoked_at = UTC_TIMESTAMP(3) WHERE device_id = ? AND revoked_at IS NULL', [deviceId]);
}

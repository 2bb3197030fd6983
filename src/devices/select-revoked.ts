import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * Revoked devices whose tokens could still be presented (not yet expired): the whole set every
 * poll. It stays small (lost or replaced tablets of the last 30 days) and a full read needs no
 * bookkeeping of what each instance has seen; devices_revoked makes it an index range.
 */
export async function selectRevokedDeviceIds(db: Connection): Promise<string[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT device_id FROM devices WHERE revoked_at IS NOT NULL AND expires_at > UTC_TIMESTAMP(3)',
  );
  return rows.map((r) => String(r.device_id));
}

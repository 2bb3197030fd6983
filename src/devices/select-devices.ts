import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DEVICE_COLUMNS, type DeviceRow } from './views';

/** A merchant's devices, newest first (revoked and expired ones included: the manager's record). */
export async function selectMerchantDevices(db: Connection, merchantId: string, limit: number): Promise<DeviceRow[]> {
  const [rows] = await db.query<(DeviceRow & RowDataPacket)[]>(
    `SELECT ${DEVICE_COLUMNS} FROM devices WHERE merchant_id = ? ORDER BY issued_at DESC, device_id LIMIT ?`,
    [merchantId, limit],
  );
  return rows;
}

export async function selectDevice(db: Connection, deviceId: string): Promise<DeviceRow | undefined> {
  const [rows] = await db.query<(DeviceRow & RowDataPacket)[]>(
    `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device_id = ?`,
    [deviceId],
  );
  return rows[0];
}

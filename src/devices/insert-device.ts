import type { Connection } from 'mysql2/promise';

export interface NewDevice {
  deviceId: string;
  merchantId: string;
  role: string;
  name: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Records a device before its token is printed, so no token exists that its manager cannot see. */
export async function insertDevice(db: Connection, d: NewDevice): Promise<void> {
  await db.query(
    `INSERT INTO devices (device_id, merchant_id, role, name, issued_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [d.deviceId, d.merchantId, d.role, d.name, d.issuedAt, d.expiresAt],
  );
}

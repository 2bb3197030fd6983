import type { Connection } from 'mysql2/promise';

/** Marks devices seen now: one statement for every device that called since the last flush. */
export async function touchDevices(db: Connection, deviceIds: readonly string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await db.query('UPDATE devices SET last_seen = UTC_TIMESTAMP(3) WHERE device_id IN (?)', [deviceIds]);
}

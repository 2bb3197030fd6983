import type { Connection, RowDataPacket } from 'mysql2/promise';

/** A merchant's settings row as stored (merchants without a row are absent). */
export interface StoredSettings {
  /** null: the default zone (MERCHANT_TIME_ZONE) */
  timeZone: string | null;
  fireByPrepTime: boolean;
  /** +1 on every change of the merchant's menu (migration 140, src/menu/sql.ts) */
  menuVersion: number;
}

/**
 * The settings of several merchants in one indexed read: what the apply step needs of them (zone
 * for ticket days, fire by prep time, and the menu version its cache is keyed by).
 */
export async function selectMerchantSettings(db: Connection, merchantIds: readonly string[]): Promise<Map<string, StoredSettings>> {
  const out = new Map<string, StoredSettings>();
  if (merchantIds.length === 0) return out;
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT merchant_id, time_zone, fire_by_prep_time, menu_version FROM merchant_settings WHERE merchant_id IN (?)',
    [[...new Set(merchantIds)]],
  );
  for (const r of rows) {
    out.set(String(r.merchant_id), {
      timeZone: r.time_zone === null ? null : String(r.time_zone),
      fireByPrepTime: Number(r.fire_by_prep_time) === 1,
      menuVersion: Number(r.menu_version),
    });
  }
  return out;
}

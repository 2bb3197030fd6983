// The merchants' menu of prep targets (menu_dishes, migration 090) and the fireByPrepTime setting:
// one function per query.
import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface MenuEntry {
  dishId: string;
  prepSeconds: number;
  shortName: string | null;
}

interface MenuRow extends RowDataPacket {
  merchant_id: string;
  dish_id: string;
  prep_seconds: number;
  short_name: string | null;
}

const entryOf = (r: MenuRow): MenuEntry => ({ dishId: r.dish_id, prepSeconds: Number(r.prep_seconds), shortName: r.short_name });

/**
 * Changes one entry of a merchant's menu and adds 1 to its menu version (migration 140), which
 * tells every instance's menu cache (./cache.ts) to read the menu again. Run both in one
 * transaction (the route does).
 */
export async function upsertMenuEntry(db: Connection, merchantId: string, e: MenuEntry, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO merchant_settings (merchant_id, time_zone, menu_version, updated_at) VALUES (?, NULL, 1, ?)
     ON DUPLICATE KEY UPDATE menu_version = menu_version + 1, updated_at = VALUES(updated_at)`,
    [merchantId, at],
  );
  await db.query(
    `INSERT INTO menu_dishes (merchant_id, dish_id, prep_seconds, short_name, updated_at) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE prep_seconds = VALUES(prep_seconds), short_name = VALUES(short_name), updated_at = VALUES(updated_at)`,
    [merchantId, e.dishId, e.prepSeconds, e.shortName, at],
  );
}

export async function selectMenu(db: Connection, merchantId: string): Promise<MenuEntry[]> {
  const [rows] = await db.query<MenuRow[]>(
    'SELECT merchant_id, dish_id, prep_seconds, short_name FROM menu_dishes WHERE merchant_id = ? ORDER BY dish_id',
    [merchantId],
  );
  return rows.map(entryOf);
}

/** Prep targets of (merchant, dishId) pairs, keyed `merchant\u0000dishId`. */
export async function selectPrepTargets(db: Connection, pairs: ReadonlyArray<readonly [string, string]>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (pairs.length === 0) return out;
  const [rows] = await db.query<MenuRow[]>(
    'SELECT merchant_id, dish_id, prep_seconds, short_name FROM menu_dishes WHERE (merchant_id, dish_id) IN (?)',
    [pairs.map(([m, d]) => [m, d])],
  );
  for (const r of rows) out.set(`${r.merchant_id}\u0000${r.dish_id}`, Number(r.prep_seconds));
  return out;
}

/** Whole menus' prep targets (dishId → seconds) of several merchants, for the menu cache. */
export async function selectPrepMenus(db: Connection, merchantIds: readonly string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (merchantIds.length === 0) return out;
  const [rows] = await db.query<MenuRow[]>(
    'SELECT merchant_id, dish_id, prep_seconds FROM menu_dishes WHERE merchant_id IN (?)',
    [merchantIds],
  );
  for (const r of rows) {
    const m = out.get(r.merchant_id) ?? new Map<string, number>();
    m.set(r.dish_id, Number(r.prep_seconds));
    out.set(r.merchant_id, m);
  }
  return out;
}

/** The merchants among these that fire by prep time. */
export async function selectFireByPrepTime(db: Connection, merchantIds: readonly string[]): Promise<Set<string>> {
  if (merchantIds.length === 0) return new Set();
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT merchant_id FROM merchant_settings WHERE merchant_id IN (?) AND fire_by_prep_time = 1',
    [merchantIds],
  );
  return new Set(rows.map((r) => String(r.merchant_id)));
}

export async function upsertFireByPrepTime(db: Connection, merchantId: string, on: boolean, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO merchant_settings (merchant_id, time_zone, fire_by_prep_time, updated_at) VALUES (?, NULL, ?, ?)
     ON DUPLICATE KEY UPDATE fire_by_prep_time = VALUES(fire_by_prep_time), updated_at = VALUES(updated_at)`,
    [merchantId, on ? 1 : 0, at],
  );
}

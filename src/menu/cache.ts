// The merchants' prep targets for the apply step, kept in memory per menu version (issue 20). The
// pipeline used to read menu_dishes in every write group whose dishes carry a dishId (all of them,
// with the simulator's traffic) and merchant_settings for fire by prep time; now each group reads
// the merchants' settings once (src/merchant-settings/select-settings.ts, which it needs for the
// ticket days anyway) and a menu only when its version is not the one held here.
//
// Why the version is enough, across instances: every change of a menu goes through
// upsertMenuEntry (./sql.ts), which adds 1 to the merchant's menu_version in the same transaction.
// A write group reads the version in its own transaction; if it differs from the cached one, the
// menu is read again (in that transaction) and kept under the new version. A menu changed by plain
// SQL without the version would not be seen until the process restarts: don't.
// Bounded: at most `maxMerchants` menus; the oldest loaded is dropped first.
import type { Connection } from 'mysql2/promise';
import type { PrepTargets } from '../firing/fire-plan';
import type { StoredSettings } from '../merchant-settings/select-settings';
import { selectPrepMenus } from './sql';

/** Prep seconds per dishId, per merchant, as stored. */
export type MenuLoader = (db: Connection, merchantIds: readonly string[]) => Promise<Map<string, Map<string, number>>>;

export interface MenuCache {
  /**
   * The prep targets of these merchants as of `settings` (read in the caller's transaction):
   * menus whose version is not cached are read, in one statement.
   */
  targets(db: Connection, settings: ReadonlyMap<string, StoredSettings>, merchantIds: readonly string[]): Promise<(merchantId: string) => PrepTargets>;
}

/** The version a merchant's menu is cached under: -1 without a settings row (a menu never changed through the API). */
export const versionOf = (s: StoredSettings | undefined): number => s?.menuVersion ?? -1;

export function createMenuCache(opts: { maxMerchants?: number; load?: MenuLoader } = {}): MenuCache {
  const max = opts.maxMerchants ?? 10_000;
  const load = opts.load ?? selectPrepMenus;
  const held = new Map<string, { version: number; prep: ReadonlyMap<string, number> }>();
  const EMPTY: ReadonlyMap<string, number> = new Map();
  return {
    async targets(db, settings, merchantIds) {
      const stale = [...new Set(merchantIds)].filter((m) => held.get(m)?.version !== versionOf(settings.get(m)));
      if (stale.length > 0) {
        const menus = await load(db, stale);
        for (const m of stale) {
          held.delete(m); // re-inserted last: the Map's order is the order of loading
          held.set(m, { version: versionOf(settings.get(m)), prep: menus.get(m) ?? EMPTY });
        }
        for (const m of held.keys()) {
          if (held.size <= max) break;
          held.delete(m);
        }
      }
      const of = (m: string): ReadonlyMap<string, number> => held.get(m)?.prep ?? EMPTY;
      return (merchantId) => {
        const prep = of(merchantId);
        return {
          prepSeconds: (dishId) => (dishId === null ? null : prep.get(dishId) ?? null),
          byPrepTime: settings.get(merchantId)?.fireByPrepTime ?? false,
        };
      };
    },
  };
}

// Which time zone a merchant's local days are in: its own setting, else MERCHANT_TIME_ZONE.
// Read from MySQL each time (one indexed read per write group), so a change made through any
// instance holds at once everywhere. A zone Intl no longer knows falls back to the default.
import type { Connection } from 'mysql2/promise';
import { canonicalZone } from '../local-time/zone';
import { selectZones } from './select-zones';

export interface MerchantZones {
  readonly defaultZone: string;
  /** The zone of every merchant asked for. */
  zonesOf(db: Connection, merchantIds: readonly string[]): Promise<Map<string, string>>;
}

export function createMerchantZones(defaultZone: string): MerchantZones {
  return {
    defaultZone,
    async zonesOf(db, merchantIds) {
      const unique = [...new Set(merchantIds)];
      const set = await selectZones(db, unique);
      return new Map(unique.map((m) => {
        const z = set.get(m);
        return [m, z !== undefined && canonicalZone(z) !== undefined ? z : defaultZone];
      }));
    },
  };
}

export async function zoneOf(zones: MerchantZones, db: Connection, merchantId: string): Promise<string> {
  return (await zones.zonesOf(db, [merchantId])).get(merchantId) ?? zones.defaultZone;
}

// Which time zone a merchant's local days are in: its own setting, else MERCHANT_TIME_ZONE.
// Read from MySQL each time, so a change made through any instance holds at once everywhere (the
// apply step reads it with the merchant's other settings, src/merchant-settings/select-settings.ts,
// and maps it with zoneFrom). A zone Intl no longer knows falls back to the default.
import type { Connection } from 'mysql2/promise';
import { canonicalZone } from '../local-time/zone';
import { selectZones } from './select-zones';

export interface MerchantZones {
  readonly defaultZone: string;
  /** The zone of every merchant asked for. */
  zonesOf(db: Connection, merchantIds: readonly string[]): Promise<Map<string, string>>;
  /** The zone a stored setting means (absent, null or unknown to Intl: the default). */
  zoneFrom(stored: string | null | undefined): string;
}

export function createMerchantZones(defaultZone: string): MerchantZones {
  const zoneFrom = (z: string | null | undefined): string => (z !== undefined && z !== null && canonicalZone(z) !== undefined ? z : defaultZone);
  return {
    defaultZone,
    zoneFrom,
    async zonesOf(db, merchantIds) {
      const unique = [...new Set(merchantIds)];
      const set = await selectZones(db, unique);
      return new Map(unique.map((m) => [m, zoneFrom(set.get(m))]));
    },
  };
}

export async function zoneOf(zones: MerchantZones, db: Connection, merchantId: string): Promise<string> {
  return (await zones.zonesOf(db, [merchantId])).get(merchantId) ?? zones.defaultZone;
}

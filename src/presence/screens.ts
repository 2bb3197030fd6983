// Kitchen screens across instances: the one place that says which key a kitchen screen is counted
// under and what "a station has a screen" means. The hub admits a kitchen-token socket with
// kitchenScreenClaim() next to its caps' claims, so the screen counts from its admission to the
// moment its TCP socket closes, on whichever instance holds it; the printers ask stationScreens()
// (their StationScreens port, src/printing/fallback.ts).
import type { Claim, Presence } from './presence';

/** '' is a screen of every station. Merchant ids have no '/' (src/auth/token.ts ID_PATTERN). */
export function kitchenScreenKey(merchantId: string, station: string): string {
  return `kitchen:${merchantId}/${station}`;
}

/** Counted only (no cap), and remembered: since when a station has had no screen is asked for. */
export function kitchenScreenClaim(merchantId: string, station: string): Claim {
  return { key: kitchenScreenKey(merchantId, station), cap: Infinity, remember: true };
}

export interface StationRef {
  merchantId: string;
  station: string;
}

export interface StationPresence extends StationRef {
  /** kitchen screens showing the station, or every station, on all fresh instances */
  screens: number;
  /** 0 while one shows it; else how long ago the last one left (null: none on record) */
  idleMs: number | null;
}

/** The most recent of two idle times: a station is watched by its own screens and by all-station ones. */
function recent(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** Whether each station has a kitchen screen (of it, or of every station) anywhere, and since when none. */
export async function stationScreens(presence: Pick<Presence, 'held'>, stations: readonly StationRef[]): Promise<StationPresence[]> {
  const keys = new Set<string>();
  for (const s of stations) {
    keys.add(kitchenScreenKey(s.merchantId, s.station));
    keys.add(kitchenScreenKey(s.merchantId, ''));
  }
  const held = await presence.held([...keys]);
  return stations.map((s) => {
    const own = held.get(kitchenScreenKey(s.merchantId, s.station));
    const all = held.get(kitchenScreenKey(s.merchantId, ''));
    const screens = (own?.sockets ?? 0) + (s.station === '' ? 0 : (all?.sockets ?? 0));
    return { ...s, screens, idleMs: screens > 0 ? 0 : recent(own?.idleMs ?? null, all?.idleMs ?? null) };
  });
}

/** The printers' StationScreens port (src/printing/fallback.ts), answered by this presence. */
export function createStationScreens(presence: Pick<Presence, 'held'>): { of(stations: readonly StationRef[]): Promise<StationPresence[]> } {
  return { of: (stations) => stationScreens(presence, stations) };
}

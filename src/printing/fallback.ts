// Which printers go into and out of fallback (contract "Printer fallback (厨打)"; pure). A station
// in `fallback` mode prints while no kitchen screen showing it (or every station) has been
// connected to any instance for PRINT_FALLBACK_AFTER_S, counted from the mode's setting at the
// earliest; a screen coming back ends it at once. Which screens are open is not printing's to
// know: it asks the StationScreens port, which src/presence/ answers for every instance.

export interface StationRef {
  merchantId: string;
  station: string;
}

/** The port the printers need from presence (src/presence/screens.ts stationScreens). */
export interface StationScreens {
  /**
   * For each station asked, in order: the kitchen screens showing it (or every station) on any
   * instance now, and how long ago the last one left (0 while one shows it; null: none on record).
   */
  of(stations: readonly StationRef[]): Promise<ReadonlyArray<StationRef & { screens: number; idleMs: number | null }>>;
}

export interface FallbackState extends StationRef {
  mode: string;
  inFallback: boolean;
  /** how long the printer has been in its mode, by the database's clock */
  modeAgeMs: number;
}

export interface FallbackMoves {
  enter: StationRef[];
  leave: StationRef[];
}

export function fallbackMoves(
  printers: readonly FallbackState[],
  screens: ReadonlyArray<StationRef & { screens: number; idleMs: number | null }>,
  afterMs: number,
): FallbackMoves {
  const byStation = new Map(screens.map((s) => [`${s.merchantId}\u0000${s.station}`, s]));
  const moves: FallbackMoves = { enter: [], leave: [] };
  for (const p of printers) {
    const ref = { merchantId: p.merchantId, station: p.station };
    if (p.mode !== 'fallback') {
      if (p.inFallback) moves.leave.push(ref);
      continue;
    }
    const s = byStation.get(`${p.merchantId}\u0000${p.station}`);
    const watched = (s?.screens ?? 0) > 0;
    if (watched) {
      if (p.inFallback) moves.leave.push(ref);
    } else if (!p.inFallback && p.modeAgeMs >= afterMs) {
      // no screen on record (never, or over an hour ago) counts as long enough
      const idle = s?.idleMs ?? null;
      if (idle === null || idle >= afterMs) moves.enter.push(ref);
    }
  }
  return moves;
}

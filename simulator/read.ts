// What one `GET /orders/{id}` answers under the active switches. Pure: the server only performs
// the outcome. The order of checks mirrors where a real failure happens: the connection (hang,
// reset), the gateway (forced status, random 5xx), then the replica (lag, not found, stale).
import type { OrderEntry, StoredVersion } from './store';
import type { Switches } from './switches';

export type ReadOutcome =
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'error'; status: number }
  | { kind: 'not_found' }
  | { kind: 'ok'; json: string };

const NOT_FOUND: ReadOutcome = { kind: 'not_found' };

/** Index of the newest version a replica lagging by lagMs has applied, or -1. */
export function visibleIndex(versions: readonly StoredVersion[], lagMs: number, now: number): number {
  if (lagMs <= 0) return versions.length - 1;
  const cutoff = now - lagMs;
  for (let i = versions.length - 1; i >= 0; i--) {
    if ((versions[i] as StoredVersion).writtenAt <= cutoff) return i;
  }
  return -1;
}

/** `entry` must already count this read (OrderStore.recordRead). */
export function decideRead(
  sw: Switches,
  entry: OrderEntry | undefined,
  now: number,
  random: () => number,
): ReadOutcome {
  if (sw.hang) return { kind: 'hang' };
  if (sw.resetConnections) return { kind: 'reset' };
  if (sw.errorStatus !== null) return { kind: 'error', status: sw.errorStatus };
  if (sw.errorRate > 0 && random() < sw.errorRate) {
    return { kind: 'error', status: random() < 0.5 ? 500 : 503 };
  }
  if (entry === undefined) return NOT_FOUND;
  const idx = visibleIndex(entry.versions, sw.replicaLagMs, now);
  const visible = entry.versions[idx];
  if (visible === undefined) return NOT_FOUND;
  if (entry.reads <= sw.notFoundFirstN) return NOT_FOUND;
  if (entry.readsOfVersion <= sw.staleFirstN) {
    if (sw.staleMode === 'empty') {
      return { kind: 'ok', json: JSON.stringify({ ...(JSON.parse(visible.json) as object), items: [] }) };
    }
    const older = entry.versions[idx - 1];
    return older === undefined ? NOT_FOUND : { kind: 'ok', json: older.json };
  }
  return { kind: 'ok', json: visible.json };
}

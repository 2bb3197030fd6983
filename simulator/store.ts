// In-memory order store with a version history per order, so the simulator can answer what a
// lagging read replica would (an older version, or nothing yet). Bodies are serialised once at
// write time: reads are the hot path (thousands/s) and must not re-stringify.
import type { OrderBody } from './types';

export interface StoredVersion {
  readonly version: number;
  /** The body exactly as served; kept only as JSON (a parsed copy too doubled the memory). */
  readonly json: string;
  /** Monotonic write time (performance.now() clock) for replica-lag arithmetic. */
  readonly writtenAt: number;
}

export interface OrderEntry {
  readonly versions: StoredVersion[];
  /** Reads since the switches affecting this order last changed (drives notFoundFirstN). */
  reads: number;
  /** Reads since the latest version was written (drives staleFirstN). */
  readsOfVersion: number;
  /** Global-switch epoch the counters belong to; a newer epoch restarts them. */
  epoch: number;
}

export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
}

export interface OrderStore {
  /** Appends a version; throws VersionConflictError unless version > current version. */
  put(body: OrderBody): void;
  /** All-or-nothing: checks every body (in array order) before writing any. */
  putMany(bodies: readonly OrderBody[]): void;
  get(orderId: string): OrderEntry | undefined;
  /** Counts one read of the order and returns its entry (undefined if never written). */
  recordRead(orderId: string): OrderEntry | undefined;
  /** Restarts the read counters of every order (lazily, via the epoch). */
  resetAllReadCounters(): void;
  resetReadCounters(orderId: string): void;
  size(): number;
}

export function createOrderStore(now: () => number = () => performance.now()): OrderStore {
  const orders = new Map<string, OrderEntry>();
  let epoch = 0;

  function conflict(body: OrderBody, current: number): VersionConflictError {
    return new VersionConflictError(
      `order ${body.orderId}: version ${body.version} must be greater than stored version ${current}`,
    );
  }

  function append(body: OrderBody): void {
    // Serialising is also the private copy: callers may keep mutating their object.
    const v: StoredVersion = { version: body.version, json: JSON.stringify(body), writtenAt: now() };
    const entry = orders.get(body.orderId);
    if (entry === undefined) {
      orders.set(body.orderId, { versions: [v], reads: 0, readsOfVersion: 0, epoch });
      return;
    }
    entry.versions.push(v);
    entry.readsOfVersion = 0;
  }

  function currentVersion(orderId: string): number {
    const versions = orders.get(orderId)?.versions;
    return versions?.[versions.length - 1]?.version ?? 0;
  }

  function sync(entry: OrderEntry): void {
    if (entry.epoch === epoch) return;
    entry.epoch = epoch;
    entry.reads = 0;
    entry.readsOfVersion = 0;
  }

  return {
    put(body) {
      const current = currentVersion(body.orderId);
      if (body.version <= current) throw conflict(body, current);
      append(body);
    },
    putMany(bodies) {
      const latest = new Map<string, number>();
      for (const body of bodies) {
        const current = latest.get(body.orderId) ?? currentVersion(body.orderId);
        if (body.version <= current) throw conflict(body, current);
        latest.set(body.orderId, body.version);
      }
      for (const body of bodies) append(body);
    },
    get: (orderId) => orders.get(orderId),
    recordRead(orderId) {
      const entry = orders.get(orderId);
      if (entry === undefined) return undefined;
      sync(entry);
      entry.reads += 1;
      entry.readsOfVersion += 1;
      return entry;
    },
    resetAllReadCounters() {
      epoch += 1;
    },
    resetReadCounters(orderId) {
      const entry = orders.get(orderId);
      if (entry === undefined) return;
      entry.epoch = epoch;
      entry.reads = 0;
      entry.readsOfVersion = 0;
    },
    size: () => orders.size,
  };
}

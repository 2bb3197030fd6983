// Which device tokens are revoked, as every instance sees it. Instances share only MySQL, so each
// polls the revoked set every `pollMs` (2 s: a revoked tablet is cut off within the contract's 5 s
// with room for a slow poll) and keeps it in memory: the token check itself never waits on the
// database. A revocation made through this instance takes effect here at once.
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import type { RevocationCheck } from '../auth/token-auth';
import { selectRevokedDeviceIds } from './select-revoked';
import { touchDevices } from './touch-devices';

export interface Revocations extends RevocationCheck {
  /** Marks a device revoked on this instance now (after the row was updated). */
  revokedHere(deviceId: string): void;
  /** Loads the revoked set, then polls; resolves after the first load (fails if it fails). */
  start(): Promise<void>;
  /** Stops polling and writes the pending last_seen marks. */
  close(): Promise<void>;
}

export interface RevocationOptions {
  pollMs?: number;
  /** How often last_seen is written for the devices seen since (default 30 s). */
  touchMs?: number;
}

export function createRevocations(pool: Pool, log: Logger, opts: RevocationOptions = {}): Revocations {
  let revoked = new Set<string>();
  const seenSince = new Set<string>();
  const listeners = new Set<(ids: readonly string[]) => void>();
  const timers: NodeJS.Timeout[] = [];
  let polling = false;

  const tell = (ids: readonly string[]): void => {
    if (ids.length === 0) return;
    for (const l of listeners) {
      try {
        l(ids);
      } catch (err) {
        log.error('revocation listener failed', { err });
      }
    }
  };

  const load = async (): Promise<void> => {
    const next = new Set(await selectRevokedDeviceIds(pool));
    const fresh = [...next].filter((id) => !revoked.has(id));
    revoked = next;
    tell(fresh);
  };

  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      await load();
    } catch (err) {
      // keep the last known set: a MySQL outage must not un-revoke anything
      log.warn('device revocation poll failed', { err });
    } finally {
      polling = false;
    }
  };

  const flushSeen = async (): Promise<void> => {
    if (seenSince.size === 0) return;
    const ids = [...seenSince];
    seenSince.clear();
    await touchDevices(pool, ids).catch((err: unknown) => log.warn('device last_seen update failed', { err }));
  };

  return {
    isRevoked: (id) => revoked.has(id),
    seen: (id) => {
      seenSince.add(id);
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    revokedHere(id) {
      if (revoked.has(id)) return;
      revoked.add(id);
      tell([id]);
    },
    async start() {
      await load();
      const t1 = setInterval(() => void poll(), opts.pollMs ?? 2000);
      const t2 = setInterval(() => void flushSeen(), opts.touchMs ?? 30_000);
      t1.unref();
      t2.unref();
      timers.push(t1, t2);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await flushSeen();
    },
  };
}

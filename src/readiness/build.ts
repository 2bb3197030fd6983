// The readiness feature's builder: what /readyz answers (src/http/ops-routes.ts). MySQL is asked on
// a connection of its own, never the main pool: a caller looping on /readyz must not queue queries
// in front of a cook's tap. The answer comes from a result at most ~1 s old (cachedCheck), so the
// database sees at most one `SELECT 1` a second from this instance, however many callers.
import type { Teardown } from '../lifecycle/teardown';
import { createPool } from '../db/pool';
import { cachedCheck } from './cached-check';

export interface ReadinessOptions {
  mysqlUrl: string;
  /** Cheap, in-memory answers (connected or not) of the other dependencies. */
  probes: Record<string, () => boolean>;
  teardown: Teardown;
  /** Default 1000 ms: how old an answer may be, and how long MySQL has to answer. */
  maxAgeMs?: number;
  /** Told of every query sent to MySQL (tests). */
  onMysqlCheck?: () => void;
}

export function buildReadiness(o: ReadinessOptions): () => Promise<Record<string, boolean>> {
  const maxAgeMs = o.maxAgeMs ?? 1000;
  // one connection; mysql2 opens it again if it breaks
  const pool = createPool(o.mysqlUrl, 1);
  o.teardown.add('readiness connection', () => pool.end());
  let pending: Promise<unknown> | undefined;

  const mysql = async (): Promise<boolean> => {
    // a query that has not come back yet is not sent again behind itself: not ready until it does
    if (pending !== undefined) return false;
    o.onMysqlCheck?.();
    const q = pool.query('SELECT 1').finally(() => {
      pending = undefined;
    });
    pending = q;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), maxAgeMs);
    });
    try {
      return await Promise.race([q.then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  };

  return cachedCheck(async () => {
    const checks: Record<string, boolean> = { mysql: await mysql() };
    for (const [name, probe] of Object.entries(o.probes)) checks[name] = probe();
    return checks;
  }, { maxAgeMs });
}

// Outage mail: one "order service is down" when the first instance's breaker opens, one
// "recovered" when the last one closes, never lost while SMTP is down.
//
// `sync()` brings the shared outage record (job_state 'order_service_outage') in line with this
// instance's breaker and sends whatever notices are pending, under the row's lock. A notice is
// stored in the same transaction that decides it is due and removed only after the SMTP server
// accepted it, so an SMTP outage delays it to a later sync, and two instances never send one
// notice twice. Call it on each breaker transition and periodically (it also refreshes this
// instance's "still down" mark and retries pending notices).
//
// The same row is the cluster's one view of the outage (issue 12): `observePeers()` reads it
// (no lock) and tells this instance's breaker when another instance has the service down, so an
// instance whose own calls have not failed yet stops calling too (it probes once to check the
// claim). Why the database and not ZooKeeper: the retry job cannot run without MySQL anyway, so
// the view adds no dependency; the notices must be stored in the transaction that decides them,
// which is this row; and the view keeps working while ZooKeeper is away.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { inTx, type Pool } from '../db/pool';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { ensureJobState, lockJobState, parseJsonObject, readJobState, saveJobState } from './job-state';
import type { Mail, Mailer } from './mailer';
import { outageRender } from './outage-render';
import { advance, parseShared, peerSince, type LocalView } from './outage-state';

/** What the alerts need of this instance's circuit breaker (src/order-service/breaker.ts). */
export interface LocalBreaker {
  /** Another instance has seen the service down since then (see ./outage-state.ts peerSince). */
  peerDown(since: Date): void;
  snapshot(): {
    open: boolean;
    outage: {
      since: Date;
      /** 'peer': opened on another instance's report, not on its own calls. */
      cause: string;
      calls: number;
      failures: number;
      lastError: string;
      rejected: number;
      probes: number;
    } | null;
  };
}

export interface OutageAlertsDeps {
  pool: Pool;
  mailer: Mailer;
  log: Logger;
  envName: string;
  breaker: LocalBreaker;
  /** For the text of the "down" mail. */
  probeIntervalMs: number;
  instanceId?: string;
  /** An instance's "down" mark older than this is dropped (it died); default 5 min. */
  staleMs?: number;
  clock?: () => Date;
}

export interface OutageAlerts {
  sync(): Promise<void>;
  /** Reads the shared record and tells the breaker if another instance has the service down. */
  observePeers(): Promise<void>;
}

const STATE = 'order_service_outage';

export function createOutageAlerts(deps: OutageAlertsDeps): OutageAlerts {
  const now = deps.clock ?? (() => new Date());
  const instance = deps.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const staleMs = deps.staleMs ?? 5 * 60_000;
  const render = outageRender(deps.envName, deps.probeIntervalMs);
  let ensured = false;

  function localView(): LocalView {
    const s = deps.breaker.snapshot();
    const o = s.outage;
    return {
      instance, open: s.open, since: s.open && o !== null ? o.since : null, adopted: s.open && o?.cause === 'peer',
      calls: o?.calls ?? 0, failures: o?.failures ?? 0, lastError: o?.lastError ?? null,
      rejected: o?.rejected ?? 0, probes: o?.probes ?? 0,
    };
  }

  async function sendInOrder(pending: readonly Mail[]): Promise<Mail[]> {
    const left = [...pending];
    while (left.length > 0) {
      try {
        await deps.mailer.send(left[0] as Mail);
      } catch (err) {
        deps.log.warn('outage notice not sent; will retry', { err: describeError(err), pending: left.length });
        break;
      }
      deps.log.info('outage notice sent', { subject: (left[0] as Mail).subject });
      left.shift();
    }
    return left;
  }

  async function syncNow(): Promise<void> {
    if (!ensured) {
      await ensureJobState(deps.pool, STATE, '{}');
      ensured = true;
    }
    await inTx(deps.pool, async (conn) => {
      const raw = (await lockJobState(conn, STATE, 'wait')) ?? '{}';
      // read under the lock: a sync that waited sees the breaker as it is now
      const { state } = advance(parseShared(parseJsonObject(raw)), localView(), now(), staleMs, render);
      const pending = await sendInOrder(state.pending);
      const next = JSON.stringify({ ...state, pending });
      if (next !== raw) await saveJobState(conn, STATE, next);
    });
  }

  // one sync at a time per instance; a sync asked for while one runs runs once after it
  let running: Promise<void> | undefined;
  let again = false;
  return {
    async observePeers() {
      const raw = (await readJobState(deps.pool, STATE)) ?? '{}';
      const since = peerSince(parseShared(parseJsonObject(raw)), instance, now(), staleMs);
      if (since !== null) deps.breaker.peerDown(since);
    },
    sync() {
      if (running !== undefined) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await syncNow();
          } while (again);
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
  };
}

// The outage as all instances see it, kept in job_state so that N instances whose breakers open
// together send ONE "down" mail, and the "recovered" mail goes out when the last one closes. Pure.
//
// Each instance with an open breaker is listed with the time it last said so; an instance that
// died mid-outage stops refreshing and is dropped after `staleMs`, so its entry cannot keep the
// outage open (and the recovered mail unsent) forever.
import type { Mail } from './mailer';

export interface DownEntry {
  since: string;
  seenAt: string;
}

export interface SharedOutage {
  down: Record<string, DownEntry>;
  /** Start of the outage as first reported; null when no instance reports it. */
  since: string | null;
  /** Notices not sent yet (SMTP down), oldest first. */
  pending: Mail[];
}

export const NO_OUTAGE: SharedOutage = Object.freeze({ down: {}, since: null, pending: [] });

/** What this instance's breaker says, with the facts the mails quote. */
export interface LocalView {
  instance: string;
  open: boolean;
  since: Date | null;
  /** Open on another instance's report, not on its own calls (breaker cause 'peer'). */
  adopted?: boolean;
  calls: number;
  failures: number;
  lastError: string | null;
  rejected: number;
  probes: number;
}

export interface OutageRender {
  down(v: LocalView, since: Date): Mail;
  recovered(v: LocalView, since: Date, until: Date, reason: 'closed' | 'stale'): Mail;
}

/** A flapping service with SMTP down for days must not grow the row without bound. */
export const MAX_PENDING = 20;

export function advance(
  s: SharedOutage,
  v: LocalView,
  now: Date,
  staleMs: number,
  render: OutageRender,
): { state: SharedOutage; notices: Mail[] } {
  const down: Record<string, DownEntry> = {};
  let pruned = false;
  for (const [id, e] of Object.entries(s.down)) {
    if (id === v.instance) continue;
    if (now.getTime() - new Date(e.seenAt).getTime() > staleMs) pruned = true;
    else down[id] = e;
  }
  // An instance that opened on another's report adds nothing to an outage that is already over:
  // it read the record just before the last instance closed it, and its own probe will tell.
  // Counting it would start a second DOWN/RECOVERED pair for the same outage.
  if (v.open && (v.adopted !== true || s.since !== null)) {
    const mine = s.down[v.instance];
    down[v.instance] = { since: mine?.since ?? (v.since ?? now).toISOString(), seenAt: now.toISOString() };
  }
  const anyDown = Object.keys(down).length > 0;
  const notices: Mail[] = [];
  let since = s.since;
  if (since === null && anyDown) {
    const first = Object.values(down).map((e) => e.since).sort()[0] ?? now.toISOString();
    since = first;
    notices.push(render.down(v, new Date(first)));
  } else if (since !== null && !anyDown) {
    const reason = s.down[v.instance] === undefined && pruned ? 'stale' : 'closed';
    notices.push(render.recovered(v, new Date(since), now, reason));
    since = null;
  }
  const pending = [...s.pending, ...notices].slice(-MAX_PENDING);
  return { state: { down, since, pending }, notices };
}

function isMail(v: unknown): v is Mail {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.subject === 'string' && typeof m.text === 'string';
}

/** Reads the stored JSON; anything unreadable counts as "no outage known". */
export function parseShared(v: Record<string, unknown> | undefined): SharedOutage {
  if (v === undefined) return NO_OUTAGE;
  const down: Record<string, DownEntry> = {};
  if (typeof v.down === 'object' && v.down !== null) {
    for (const [id, e] of Object.entries(v.down as Record<string, unknown>)) {
      const r = e as Record<string, unknown> | null;
      if (r !== null && typeof r.since === 'string' && typeof r.seenAt === 'string') {
        down[id] = { since: r.since, seenAt: r.seenAt };
      }
    }
  }
  return {
    down,
    since: typeof v.since === 'string' ? v.since : null,
    pending: Array.isArray(v.pending) ? v.pending.filter(isMail) : [],
  };
}

/**
 * The newest start of an outage another instance still reports (its mark refreshed within
 * `staleMs`), or null. The newest: this instance may have seen the service answer after an older
 * report, but not after a newer one (src/order-service/breaker-state.ts adoptPeer).
 */
export function peerSince(s: SharedOutage, self: string, now: Date, staleMs: number): Date | null {
  let newest: string | null = null;
  for (const [id, e] of Object.entries(s.down)) {
    if (id === self || now.getTime() - new Date(e.seenAt).getTime() > staleMs) continue;
    if (newest === null || e.since > newest) newest = e.since;
  }
  return newest === null ? null : new Date(newest);
}

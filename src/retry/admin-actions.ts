// Operator decisions on the retry table: replay a FAILED head, discard an entry. Both decide under
// the order's guard lock (src/order-queue/sql.ts), exactly like the consumer and the retry job, so an
// operator's click can never let an event of an order overtake an earlier one.
//
// Both act on the head of an order's queue only. Replay takes a FAILED head: a PENDING head is
// already retried by the job on its backoff schedule and may be claimed by an instance right now,
// so "replaying" it would only race that claim. Discard takes a FAILED or PENDING head and releases
// the entry behind it. An entry further back cannot be discarded: closeAndRelease relies on
// entries completing strictly in queue order (the next by position is the next to run), and a
// hole in the middle would leave the entries after it parked for good. The queue module
// (src/order-queue/) owns all of that; this file only says what an operator may do.
import { inTx, type Conn, type Pool } from '../db/pool';
import type { Logger } from '../log';
import { closeHead, getEntry, lockEntry, reopenHead, type LockedEntry, type QueueEntry } from '../order-queue/sql';
import { viewEntry, type EntryView } from './admin-sql';
import type { RetryWorker } from './worker';

export interface RetryAdminDeps {
  pool: Pool;
  worker: Pick<RetryWorker, 'attempt'>;
  log: Logger;
  /**
   * How long an entry this API is about to work stays invisible to the retry job (same idea as
   * the job's claim lease): if this process dies in between, the job picks it up after that.
   */
  leaseMs?: number;
  clock?: () => Date;
}

export type ActionResult =
  | { kind: 'ok'; entry: EntryView }
  | { kind: 'not_found' }
  | { kind: 'conflict'; reason: string };

type Decision<T> = { kind: 'go'; then: T } | { kind: 'not_found' } | { kind: 'conflict'; reason: string };

async function underGuard<T>(
  deps: RetryAdminDeps,
  id: number,
  decide: (held: LockedEntry, conn: Conn) => Promise<Decision<T>>,
): Promise<Decision<T>> {
  const entry = await getEntry(deps.pool, id);
  if (entry === undefined) return { kind: 'not_found' };
  return inTx(deps.pool, async (conn) => {
    const held = await lockEntry(conn, entry);
    if (held === undefined) return { kind: 'not_found' };
    return decide(held, conn);
  });
}

async function work(deps: RetryAdminDeps, id: number): Promise<void> {
  try {
    await deps.worker.attempt(id);
  } catch (err) {
    // The decision is committed; the retry job takes the entry over when the lease ends.
    deps.log.error('operator-triggered attempt failed', { id, err });
  }
}

async function answer(deps: RetryAdminDeps, id: number): Promise<ActionResult> {
  const entry = await viewEntry(deps.pool, id);
  return entry === undefined ? { kind: 'not_found' } : { kind: 'ok', entry };
}

export async function replayEntry(deps: RetryAdminDeps, id: number): Promise<ActionResult> {
  const now = deps.clock ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? 60_000;
  const d = await underGuard<null>(deps, id, async (held, conn) => {
    const { status } = held.entry;
    if (status !== 'FAILED') {
      const why =
        status === 'PENDING'
          ? 'it is PENDING: the retry job retries it on its own (see nextAttemptAt)'
          : `it is ${status}`;
      return { kind: 'conflict', reason: `only a FAILED entry can be replayed; ${why}` };
    }
    if (!held.head) return { kind: 'conflict', reason: 'an earlier entry of its order is still pending' };
    await reopenHead(conn, held, new Date(now().getTime() + leaseMs));
    return { kind: 'go', then: null };
  });
  if (d.kind !== 'go') return d;
  // applies it (and drains the entries behind it, in order) or records the failure
  await work(deps, id);
  return answer(deps, id);
}

export async function discardEntry(deps: RetryAdminDeps, id: number): Promise<ActionResult> {
  const now = deps.clock ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? 60_000;
  const d = await underGuard<QueueEntry | undefined>(deps, id, async (held, conn) => {
    const { status } = held.entry;
    if (status === 'DISCARDED') return { kind: 'go', then: undefined }; // repeating is harmless
    if (status !== 'PENDING' && status !== 'FAILED') {
      return { kind: 'conflict', reason: `it is ${status}; only PENDING or FAILED entries can be discarded` };
    }
    if (!held.head) {
      return { kind: 'conflict', reason: 'an earlier entry of its order is still pending; decide on that one first' };
    }
    const next = await closeHead(conn, held, 'DISCARDED', new Date(now().getTime() + leaseMs));
    return { kind: 'go', then: next };
  });
  if (d.kind !== 'go') return d;
  if (d.then !== undefined) await work(deps, d.then.id);
  return answer(deps, id);
}

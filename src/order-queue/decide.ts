// The per-order rule as pure decisions (docs/architecture.md): an event of an order is applied only when
// nothing of that order waits in the retry table, and a failed read decides its entry's fate from
// the error's kind alone. The consumer (on arrival) and the retry job (for a queue head) both decide
// here; src/order-queue/sql.ts carries the decisions out under the order's lock.
import { describeError, errorKind, KdsError, PermanentError } from '../errors';
import type { ReadResult } from '../order-service/fetch-fresh';
import type { OrderDetails } from '../order-service/details';

/** An order's queue as read under its lock. */
export interface QueueState {
  /** Retry entries of the order that are PENDING or FAILED: while > 0 the order is blocked. */
  openEntries: number;
  /** The applied version of the order; 0 when unknown. */
  storedVersion: number;
}

export type { ReadResult };

/** What a retry entry becomes. `dueAt` null: not due (behind a head, or FAILED). */
export interface EntryPlan {
  status: 'PENDING' | 'FAILED';
  attempts: number;
  dueAt: Date | null;
  error: string | null;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before retry number n (1 = the first retry). */
  delayMs(retry: number): number;
  now: Date;
}

/**
 * "Already applied": the order's stored version is not behind `version` (an event's, or an
 * answer's), so applying it would change nothing. The one definition, used on the lock-free peek
 * (the consumer's duplicate, the retry job's head that needs no read) and under the lock
 * (src/apply/apply-orders.ts).
 */
export function alreadyApplied(storedVersion: number, version: number): boolean {
  return storedVersion >= version;
}

/**
 * Whether an entry, as locked by lockEntry (src/order-queue/sql.ts), may be worked by the retry
 * job now: it still exists, is its order's head, and is PENDING (a FAILED head waits for an
 * operator; a closed one was finished by someone else).
 */
export function isWorkableHead<T extends { head: boolean; entry: { status: string } }>(held: T | undefined): held is T {
  return held !== undefined && held.head && held.entry.status === 'PENDING';
}

/**
 * What an error thrown while applying an event makes of its entry, for the consumer (parking an
 * event it could not apply) and the retry job alike. Not for a failed read (a value, see
 * afterFailedRead's kinds) nor for infrastructure (the caller lets that propagate: the database
 * down says nothing about the event). Anything else — the database refused the event's data, a
 * bug — would be thrown again on every attempt, so the failure is permanent: the entry goes FAILED
 * at once and is mailed. A permanent error is kept; anything else becomes `unprocessable`, with
 * its cause.
 */
export function applyFailure(err: unknown): KdsError {
  if (err instanceof KdsError && err.kind === 'permanent') return err;
  return new PermanentError('unprocessable', describeError(err), { cause: err });
}

export type ArrivalDecision = { kind: 'apply'; details: OrderDetails } | { kind: 'park'; plan: EntryPlan };

/**
 * A head's entry after a failed read. `attemptNo` counts reads of the entry that could spend an
 * attempt: 0 for the read on arrival (the consumer's, which is not a retry), n for the n-th retry.
 * An outage spends nothing; a permanent failure goes FAILED at once (retrying cannot help, a person
 * must look); a retriable one goes FAILED when the attempts are used up.
 */
export function afterFailedRead(error: KdsError, attemptNo: number, policy: RetryPolicy): EntryPlan {
  const message = describeError(error);
  const at = (ms: number): Date => new Date(policy.now.getTime() + ms);
  if (error.kind === 'retriable' && error.code === 'outage') {
    return { status: 'PENDING', attempts: Math.max(0, attemptNo - 1), dueAt: at(policy.delayMs(1)), error: message };
  }
  if (errorKind(error) !== 'retriable' || attemptNo >= policy.maxAttempts) {
    return { status: 'FAILED', attempts: attemptNo, dueAt: null, error: message };
  }
  return { status: 'PENDING', attempts: attemptNo, dueAt: at(policy.delayMs(attemptNo + 1)), error: message };
}

/**
 * An arriving event, once its order's queue is locked. `read` is undefined when no read was made
 * because the lock-free peek saw the order blocked.
 */
export function decideArrival(queue: QueueState, read: ReadResult | undefined, policy: RetryPolicy): ArrivalDecision {
  if (queue.openEntries > 0) return { kind: 'park', plan: { status: 'PENDING', attempts: 0, dueAt: null, error: null } };
  if (read === undefined) {
    // The peek was stale: the queue emptied since. This entry becomes the head, due at once.
    return {
      kind: 'park',
      plan: { status: 'PENDING', attempts: 0, dueAt: policy.now, error: 'queued behind an entry that has since completed' },
    };
  }
  if (!read.ok) return { kind: 'park', plan: afterFailedRead(read.error, 0, policy) };
  return { kind: 'apply', details: read.details };
}

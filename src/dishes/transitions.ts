// The kitchen's dish state machine as a pure function: screens retry and double-tap, so marking
// twice must be harmless, and nothing may move a dish out of SERVED or CANCELLED.

export type DishState = 'WAITING' | 'READY' | 'SERVED' | 'CANCELLED';
/** What a screen can ask for: the cook's READY, the waiter's SERVED. */
export type MarkTarget = 'READY' | 'SERVED';

export type Decision =
  | { kind: 'apply'; to: MarkTarget }
  | { kind: 'noop' }
  | { kind: 'conflict'; reason: string };

export function decideMark(current: string, target: MarkTarget): Decision {
  if (current === target) return { kind: 'noop' };
  if (target === 'READY') {
    if (current === 'WAITING') return { kind: 'apply', to: 'READY' };
    return { kind: 'conflict', reason: `dish is ${current}, it cannot be marked READY` };
  }
  if (current === 'READY') return { kind: 'apply', to: 'SERVED' };
  return { kind: 'conflict', reason: `dish is ${current}, only a READY dish can be marked SERVED` };
}

/** Who undoes: the cook takes back a "cooked", the waiter a "served". */
export type RecallRole = 'kitchen' | 'waiter';

export type RecallDecision =
  | { kind: 'apply'; from: DishState; to: DishState }
  | { kind: 'conflict'; reason: string };

/**
 * A recall undoes the role's own last mark, and only within the window: a cook's READY goes back
 * to WAITING, a waiter's SERVED back to READY. `markedAt` is when the dish entered its current
 * state (ready_at / served_at); a dish without one was never marked by that role. A recall is not
 * idempotent by state (a second one would find the dish already moved and answer 409): the
 * screen's double tap is settled by the row lock, and the second tap learns the dish moved.
 */
export function decideRecall(
  current: string,
  role: RecallRole,
  markedAt: Date | null,
  now: Date,
  windowS: number,
): RecallDecision {
  const undoes: DishState = role === 'kitchen' ? 'READY' : 'SERVED';
  if (current !== undoes) return { kind: 'conflict', reason: `dish is ${current}, a ${role} recall undoes ${undoes}` };
  if (markedAt === null) return { kind: 'conflict', reason: `dish has no ${undoes} mark to recall` };
  const ageS = (now.getTime() - markedAt.getTime()) / 1000;
  if (ageS > windowS) {
    return { kind: 'conflict', reason: `the ${undoes} mark is ${Math.floor(ageS)} s old, older than the ${windowS} s recall window` };
  }
  return role === 'kitchen' ? { kind: 'apply', from: 'READY', to: 'WAITING' } : { kind: 'apply', from: 'SERVED', to: 'READY' };
}

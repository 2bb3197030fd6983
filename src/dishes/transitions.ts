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

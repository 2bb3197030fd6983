// The per-order rule, as a table: what an arriving event and a failed read become.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InfrastructureError, PermanentError, RetriableError, type KdsError } from '../../src/errors';
import {
  afterFailedRead, alreadyApplied, applyFailure, decideArrival, isWorkableHead, type RetryPolicy,
} from '../../src/order-queue/decide';
import { CLOSED_SQL, ENTRY_STATUSES, isOpen, OPEN_SQL, OPEN_STATUSES } from '../../src/order-queue/states';
import type { OrderDetails } from '../../src/order-service/details';

const now = new Date('2026-12-01T12:00:00Z');
const policy: RetryPolicy = { maxAttempts: 7, delayMs: (n) => n * 1000, now };
const at = (ms: number): Date => new Date(now.getTime() + ms);
const details = { orderId: 'O1', merchantId: 'M1', version: 2 } as OrderDetails;

describe('afterFailedRead', () => {
  const cases: [string, KdsError, number, unknown][] = [
    ['a 404 on arrival: first retry due after delay(1)', new RetriableError('not_found', '404'), 0, { status: 'PENDING', attempts: 0, dueAt: at(1000) }],
    ['the 3rd retry fails: 3 spent, the 4th due', new RetriableError('timeout', 't'), 3, { status: 'PENDING', attempts: 3, dueAt: at(4000) }],
    ['the 7th retry fails: FAILED', new RetriableError('server_error', '503'), 7, { status: 'FAILED', attempts: 7, dueAt: null }],
    ['an outage on arrival spends nothing', new RetriableError('outage', 'open'), 0, { status: 'PENDING', attempts: 0, dueAt: at(1000) }],
    ['an outage on the 5th retry keeps 4 spent', new RetriableError('outage', 'open'), 5, { status: 'PENDING', attempts: 4, dueAt: at(1000) }],
    ['a contract break on arrival: FAILED at once', new PermanentError('contract', 'bad'), 0, { status: 'FAILED', attempts: 0, dueAt: null }],
    ['a contract break on the 2nd retry: FAILED at once', new PermanentError('contract', 'bad'), 2, { status: 'FAILED', attempts: 2, dueAt: null }],
  ];
  for (const [name, error, attemptNo, want] of cases) {
    it(name, () => {
      const plan = afterFailedRead(error, attemptNo, policy);
      assert.deepEqual({ status: plan.status, attempts: plan.attempts, dueAt: plan.dueAt }, want);
      assert.ok(plan.error?.includes(error.message));
    });
  }
  it('an infrastructure error is not retried as an attempt either: FAILED (callers retry those in place instead)', () => {
    assert.equal(afterFailedRead(new InfrastructureError('mysql_2006', 'gone'), 1, policy).status, 'FAILED');
  });
});

describe('decideArrival', () => {
  it('an order with open entries parks behind them, not due, whatever the read said', () => {
    for (const read of [undefined, { ok: true as const, details }, { ok: false as const, error: new RetriableError('timeout', 't') }]) {
      assert.deepEqual(decideArrival({ openEntries: 2, storedVersion: 1 }, read, policy), {
        kind: 'park', plan: { status: 'PENDING', attempts: 0, dueAt: null, error: null },
      });
    }
  });
  it('a stale peek (no read made, queue empty now) parks as the head, due at once', () => {
    const d = decideArrival({ openEntries: 0, storedVersion: 1 }, undefined, policy);
    assert.equal(d.kind, 'park');
    assert.deepEqual(d.kind === 'park' && d.plan.dueAt, now);
  });
  it('a failed read on an empty queue parks as the head by the failure rule', () => {
    const d = decideArrival({ openEntries: 0, storedVersion: 0 }, { ok: false, error: new PermanentError('contract', 'x') }, policy);
    assert.equal(d.kind === 'park' && d.plan.status, 'FAILED');
  });
  it('a good read on an empty queue applies', () => {
    assert.deepEqual(decideArrival({ openEntries: 0, storedVersion: 1 }, { ok: true, details }, policy), { kind: 'apply', details });
  });
});

describe('alreadyApplied', () => {
  const cases: [number, number, boolean][] = [
    [0, 1, false], // nothing stored
    [1, 2, false], // older than the event: apply
    [2, 2, true], // the same version again: a duplicate
    [3, 2, true], // an older event after a newer one: never backwards
  ];
  for (const [stored, version, want] of cases) {
    it(`stored ${stored}, event ${version} → ${want}`, () => assert.equal(alreadyApplied(stored, version), want));
  }
});

describe('isWorkableHead', () => {
  const held = (head: boolean, status: string) => ({ head, entry: { status } });
  const cases: [string, ReturnType<typeof held> | undefined, boolean][] = [
    ['gone', undefined, false],
    ['a PENDING head', held(true, 'PENDING'), true],
    ['a FAILED head waits for an operator', held(true, 'FAILED'), false],
    ['a PENDING entry behind the head', held(false, 'PENDING'), false],
    ['a head closed by someone else', held(false, 'DONE'), false],
  ];
  for (const [name, h, want] of cases) it(name, () => assert.equal(isWorkableHead(h), want));
});

describe('applyFailure: what an error thrown while applying makes of the entry', () => {
  const permanent = new PermanentError('data', 'too long');
  const cases: [string, unknown, string][] = [
    ['a permanent error is kept', permanent, 'data'],
    ['a bug becomes permanent', new TypeError('x is undefined'), 'unprocessable'],
    ['a retriable error thrown where a value was expected: permanent too', new RetriableError('timeout', 't'), 'unprocessable'],
    ['a thrown string', 'boom', 'unprocessable'],
  ];
  for (const [name, err, code] of cases) {
    it(name, () => {
      const f = applyFailure(err);
      assert.equal(f.kind, 'permanent');
      assert.equal(f.code, code);
      if (err !== permanent) assert.equal(f.cause, err);
      // and the queue's rule makes it FAILED at once, whichever read it was
      assert.equal(afterFailedRead(f, 3, policy).status, 'FAILED');
    });
  }
});

describe('entry states', () => {
  it('open and closed split the statuses', () => {
    assert.deepEqual(ENTRY_STATUSES.filter(isOpen), [...OPEN_STATUSES]);
    assert.equal(OPEN_SQL, "('PENDING', 'FAILED')");
    assert.equal(CLOSED_SQL, "('DONE', 'DISCARDED')");
  });
});

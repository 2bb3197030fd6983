// The per-order rule, as a table: what an arriving event and a failed read become.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InfrastructureError, PermanentError, RetriableError, type KdsError } from '../../src/errors';
import { afterFailedRead, decideArrival, type RetryPolicy } from '../../src/order-queue/decide';
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

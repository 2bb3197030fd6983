// The outage breaker: the pure state machine, table by table, then the wrapper with a hand-made
// OrderSource (no mocking library).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PermanentError, RetriableError, type RetriableCode } from '../../src/errors';
import type { OrderDetails } from '../../src/order-service/details';
import {
  admit, CLOSED, createBreaker, isInfraFailure, settle, type BreakerOptions, type BreakerSnapshot, type BreakerState,
} from '../../src/order-service/breaker';

const O: BreakerOptions = { windowMs: 10_000, minCalls: 20, failureRatio: 0.8, probeIntervalMs: 1_000 };

/** Feeds `pattern` ('F' failure, '.' success) as calls at time t, t+step, …; returns the last result. */
function run(pattern: string, t0 = 0, step = 10, s0: BreakerState = CLOSED) {
  let s = s0;
  let transition: string | undefined;
  let t = t0;
  for (const ch of pattern) {
    const r = settle(s, 'call', { failure: ch === 'F', error: 'server_error: 503' }, t, O);
    s = r.state;
    transition = r.transition ?? transition;
    t += step;
  }
  return { s, transition, t };
}

describe('closed: when it opens', () => {
  const cases: [string, string, 'open' | 'closed'][] = [
    ['19 failures are too few calls for a verdict', 'F'.repeat(19), 'closed'],
    ['20 failures of 20 calls', 'F'.repeat(20), 'open'],
    ['16 of 20 (80%) ending on a failure', '....' + 'F'.repeat(16), 'open'],
    ['15 of 20 (75%)', '.....' + 'F'.repeat(15), 'closed'],
    ['successes only', '.'.repeat(100), 'closed'],
    ['failures mixed 1:1 never open', 'F.'.repeat(50), 'closed'],
  ];
  for (const [name, pattern, mode] of cases) {
    test(name, () => assert.equal(run(pattern).s.mode, mode));
  }

  test('failures older than the window no longer count', () => {
    const early = run('F'.repeat(15), 0, 10);
    const later = run('F'.repeat(10), 20_000, 10, early.s);
    assert.equal(later.s.mode, 'closed');
    const within = run('F'.repeat(10), 5_000, 10, early.s);
    assert.equal(within.s.mode, 'open');
  });

  test('opening reports the window and the last error', () => {
    const r = run('....' + 'F'.repeat(16));
    assert.equal(r.transition, 'opened');
    assert.ok(r.s.mode === 'open');
    assert.deepEqual([r.s.calls, r.s.failures, r.s.lastError], [20, 16, 'server_error: 503']);
  });
});

describe('open: fail fast, one probe per interval', () => {
  const opened = run('F'.repeat(20)).s; // opened at t=190
  const t0 = 190;

  test('rejects until the probe interval has passed, then admits one probe', () => {
    const steps: [number, string][] = [[t0 + 1, 'reject'], [t0 + 999, 'reject'], [t0 + 1000, 'probe'], [t0 + 1001, 'reject'], [t0 + 5000, 'reject']];
    let s = opened;
    for (const [t, expected] of steps) {
      const a = admit(s, t, O);
      s = a.state;
      assert.equal(a.admission, expected, `t=${t}`);
    }
    assert.ok(s.mode === 'open');
    assert.deepEqual([s.rejected, s.probes, s.probing], [4, 1, true]);
  });

  const probing = admit(opened, t0 + 1000, O).state;
  const cases: [string, boolean, 'open' | 'closed', string | undefined][] = [
    ['a failed probe keeps it open', true, 'open', undefined],
    ['a probe the service answers closes it', false, 'closed', 'closed'],
  ];
  for (const [name, failure, mode, transition] of cases) {
    test(name, () => {
      const r = settle(probing, 'probe', { failure, error: 'timeout: x' }, t0 + 1100, O);
      assert.equal(r.state.mode, mode);
      assert.equal(r.transition, transition);
    });
  }

  test('after a failed probe the next one waits a full interval', () => {
    const failed = settle(probing, 'probe', { failure: true }, t0 + 1100, O).state;
    assert.equal(admit(failed, t0 + 1500, O).admission, 'reject');
    assert.equal(admit(failed, t0 + 2000, O).admission, 'probe');
  });

  test('a late answer of a call admitted before opening changes nothing', () => {
    assert.deepEqual(settle(opened, 'call', { failure: false }, t0 + 5, O).state, opened);
  });

  test('closing starts a fresh window', () => {
    const closed = settle(probing, 'probe', { failure: false }, t0 + 1100, O).state;
    assert.equal(run('F'.repeat(19), t0 + 1200, 10, closed).s.mode, 'closed');
  });
});

describe('which failures count', () => {
  const codes: [RetriableCode, boolean][] = [
    ['server_error', true], ['timeout', true], ['connection', true], ['throttled', true],
    ['not_found', false], ['stale', false],
  ];
  for (const [code, counts] of codes) {
    test(`${code} ${counts ? 'counts' : 'does not count'}`, () => {
      assert.equal(isInfraFailure(new RetriableError(code, 'x')), counts);
    });
  }
  test('a contract break does not count (the service answered)', () => {
    assert.equal(isInfraFailure(new PermanentError('contract', 'x')), false);
  });
});

describe('wrapper', () => {
  const details = { orderId: 'O1' } as OrderDetails;

  function setup(fail: () => Error | undefined) {
    let now = 0;
    let calls = 0;
    const changes: BreakerSnapshot[] = [];
    const breaker = createBreaker(
      {
        fetchOrder: (id) => {
          calls += 1;
          const err = fail();
          return err === undefined ? Promise.resolve({ ...details, orderId: id }) : Promise.reject(err);
        },
      },
      { options: O, now: () => now, onChange: (s) => changes.push(s) },
    );
    return { breaker, changes, calls: () => calls, tick: (ms: number) => (now += ms) };
  }

  test('opens after 20 server errors, then fails fast with outage without calling', async () => {
    let down = true;
    const w = setup(() => (down ? new RetriableError('server_error', 'order service failed (503)') : undefined));
    const codes: string[] = [];
    for (let i = 0; i < 25; i++) {
      w.tick(10);
      await w.breaker.fetchOrder(`O${i}`).catch((e: RetriableError) => codes.push(e.code));
    }
    // the 20th failure opened it: that caller is told "outage" as well
    assert.deepEqual(codes, [...Array<string>(19).fill('server_error'), ...Array<string>(6).fill('outage')]);
    assert.equal(w.calls(), 20);
    assert.equal(w.changes.length, 1);
    assert.equal(w.changes[0]?.open, true);

    w.tick(1000); // a probe while still down: one call, reported as outage
    await assert.rejects(w.breaker.fetchOrder('P1'), (e: RetriableError) => e.code === 'outage');
    assert.equal(w.calls(), 21);

    down = false;
    w.tick(500);
    await assert.rejects(w.breaker.fetchOrder('P2'), (e: RetriableError) => e.code === 'outage');
    w.tick(500);
    assert.equal((await w.breaker.fetchOrder('P3')).orderId, 'P3');
    assert.equal(w.changes.length, 2);
    const closed = w.changes[1];
    assert.equal(closed?.open, false);
    assert.deepEqual([closed?.outage?.probes, closed?.outage?.rejected], [2, 6]);
    assert.equal(closed?.outage?.until?.getTime(), 2250);
    assert.equal((await w.breaker.fetchOrder('P4')).orderId, 'P4');
  });

  test('404s for everyone never open it', async () => {
    const w = setup(() => new RetriableError('not_found', 'no such order'));
    for (let i = 0; i < 50; i++) {
      await w.breaker.fetchOrder(`O${i}`).catch(() => undefined);
    }
    assert.equal(w.calls(), 50);
    assert.equal(w.changes.length, 0);
  });
});

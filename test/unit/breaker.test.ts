// The outage breaker: the pure state machine, table by table, then the wrapper with a hand-made
// OrderSource and a hand-moved clock (no mocking library).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorKind, InfrastructureError, PermanentError, RetriableError, type RetriableCode } from '../../src/errors';
import type { OrderDetails } from '../../src/order-service/details';
import { createBreaker, isInfraFailure, PROBE_ORDER_ID, type BreakerSnapshot } from '../../src/order-service/breaker';
import {
  admit, adoptPeer, CLOSED, settle, verdict, type BreakerOptions, type BreakerState,
} from '../../src/order-service/breaker-state';

const O: BreakerOptions = {
  windowMs: 10_000, minCalls: 20, failureRatio: 0.8, probeIntervalMs: 1_000,
  streakFailures: 3, streakSpanMs: 1_000, verifyIntervalMs: 500,
};

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
  test('an unclassified error is a bug, as errorKind says: no evidence of an outage', () => {
    assert.equal(errorKind(new TypeError('x')), 'bug');
    assert.equal(isInfraFailure(new TypeError('x')), false);
    assert.equal(isInfraFailure('text'), false);
  });
  test('an infrastructure error counts', () => {
    assert.equal(isInfraFailure(new InfrastructureError('mysql_2003', 'x')), true);
  });
});


/** Feeds [orderId, t, 'F' | '.'] outcomes (sent when settled); returns the final state. */
function feedOutcomes(steps: [string, number, 'F' | '.'][], s0: BreakerState = CLOSED) {
  let s = s0;
  let transition: string | undefined;
  for (const [orderId, t, ch] of steps) {
    const r = settle(s, 'call', { failure: ch === 'F', error: 'server_error: 503', orderId }, t, O);
    s = r.state;
    transition = r.transition ?? transition;
  }
  return { s, transition };
}

describe('closed: the quiet-hours streak', () => {
  const cases: [string, [string, number, 'F' | '.'][], 'open' | 'closed'][] = [
    ['three failures of two orders over 1 s', [['X', 0, 'F'], ['P', 0, 'F'], ['P', 500, 'F'], ['P', 1000, 'F']], 'open'],
    ['exactly streakFailures, span exactly streakSpanMs', [['X', 0, 'F'], ['Y', 400, 'F'], ['Y', 1000, 'F']], 'open'],
    ['two failures are too few, however far apart', [['X', 0, 'F'], ['Y', 5000, 'F']], 'closed'],
    ['one order failing alone is that order, not the service', [['X', 0, 'F'], ['X', 1000, 'F'], ['X', 2000, 'F'], ['X', 3000, 'F']], 'closed'],
    ['a blip: many failures within a few ms', [['X', 0, 'F'], ['Y', 1, 'F'], ['Z', 2, 'F'], ['W', 3, 'F']], 'closed'],
    ['an answer in between starts the streak over', [['X', 0, 'F'], ['Y', 500, 'F'], ['Z', 600, '.'], ['X', 1000, 'F'], ['Y', 1500, 'F']], 'closed'],
    ['... and the new streak opens on its own', [['X', 0, 'F'], ['Z', 600, '.'], ['X', 1000, 'F'], ['Y', 1500, 'F'], ['Y', 2000, 'F']], 'open'],
    ['a 20 % error rate does not open it', Array.from({ length: 200 }, (_, i) => [`O${i % 7}`, i * 100, i % 5 === 0 ? 'F' : '.'] as [string, number, 'F' | '.']), 'closed'],
  ];
  for (const [name, steps, mode] of cases) {
    test(name, () => assert.equal(feedOutcomes(steps).s.mode, mode));
  }

  test('opened by the streak says so', () => {
    const r = feedOutcomes([['X', 0, 'F'], ['P', 500, 'F'], ['P', 1000, 'F']]);
    assert.equal(r.transition, 'opened');
    assert.ok(r.s.mode === 'open');
    assert.deepEqual([r.s.cause, r.s.calls, r.s.failures], ['streak', 3, 3]);
  });
});

describe('verdict of a failure seen at t=1000', () => {
  const failed = feedOutcomes([['X', 1000, 'F']]).s;
  const answered = (sentAt: number) => settle(failed, 'call', { failure: false, orderId: 'Y', sentAt }, 1200, O).state;
  const cases: [string, BreakerState, string][] = [
    ['nothing since: pending', failed, 'pending'],
    ['an answer to a call sent after it: the failure is the order\'s own', answered(1000), 'own'],
    ['an answer to a call sent before it proves nothing about later', answered(999), 'pending'],
    ['the breaker opened meanwhile: outage', feedOutcomes([['P', 1500, 'F'], ['P', 2000, 'F']], failed).s, 'outage'],
  ];
  for (const [name, s, expected] of cases) {
    test(name, () => assert.equal(verdict(s, 1000), expected));
  }
});

describe('another instance reports the service down since t=1000', () => {
  test('believed when this instance has seen no answer since: open, first call is a probe', () => {
    const r = adoptPeer(CLOSED, 1000, 3000, O);
    assert.equal(r.transition, 'opened');
    assert.ok(r.state.mode === 'open');
    assert.deepEqual([r.state.cause, r.state.since], ['peer', 1000]);
    assert.equal(admit(r.state, 3000, O).admission, 'probe');
  });
  const cases: [string, BreakerState, 'open' | 'closed'][] = [
    ['an answer to a call sent before then does not outweigh it', settle(CLOSED, 'call', { failure: false, sentAt: 999 }, 1100, O).state, 'open'],
    ['an answer to a call sent since then does', settle(CLOSED, 'call', { failure: false, sentAt: 1000 }, 1100, O).state, 'closed'],
  ];
  for (const [name, s, mode] of cases) {
    test(name, () => assert.equal(adoptPeer(s, 1000, 3000, O).state.mode, mode));
  }
  test('already open: unchanged', () => {
    const open = run('F'.repeat(20)).s;
    assert.equal(adoptPeer(open, 1000, 3000, O).state, open);
  });
});

describe('wrapper', () => {
  const details = { orderId: 'O1' } as OrderDetails;
  const down = () => new RetriableError('server_error', 'order service failed (503)');
  const notFound = () => new RetriableError('not_found', 'order service does not know the order yet (404)');

  /** `fail(orderId)` says what the order service does with a read of that order. */
  function setup(fail: (orderId: string) => Error | undefined) {
    let now = 0;
    const called: string[] = [];
    const changes: BreakerSnapshot[] = [];
    const breaker = createBreaker(
      {
        fetchOrder: (id) => {
          called.push(id);
          const err = fail(id);
          return err === undefined ? Promise.resolve({ ...details, orderId: id }) : Promise.reject(err);
        },
      },
      {
        options: O, now: () => now, onChange: (s) => changes.push(s),
        sleep: (ms) => {
          now += ms;
          return Promise.resolve();
        },
      },
    );
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: RetriableError) => e.code);
    return { breaker, changes, called, code, tick: (ms: number) => (now += ms), now: () => now };
  }

  test('quiet hours, fresh instance: one failed read of one order is recognised as an outage', async () => {
    const w = setup(down);
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'outage');
    // the read, then three checks of the service 500 ms apart
    assert.deepEqual(w.called, ['X', PROBE_ORDER_ID, PROBE_ORDER_ID, PROBE_ORDER_ID]);
    assert.equal(w.now(), 1000);
    assert.equal(w.changes.length, 1);
    assert.deepEqual([w.changes[0]?.open, w.changes[0]?.outage?.cause], [true, 'streak']);
    // then fail fast, no call
    assert.equal(await w.code(w.breaker.fetchOrder('Y')), 'outage');
    assert.equal(w.called.length, 4);
  });

  test('quiet hours, one order failing while the service answers: its own error, attempt spent', async () => {
    const w = setup((id) => (id === 'X' ? down() : id === PROBE_ORDER_ID ? notFound() : undefined));
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'server_error');
    assert.deepEqual(w.called, ['X', PROBE_ORDER_ID]);
    assert.equal(w.breaker.snapshot().open, false);
    assert.equal(w.changes.length, 0);
  });

  test('the check reads the newest order the service answered for, when there is one', async () => {
    let serviceDown = false;
    const w = setup((id) => (serviceDown || id === 'X' ? down() : undefined));
    assert.equal(await w.code(w.breaker.fetchOrder('Y')), 'ok');
    w.tick(1); // (a call sent in the same millisecond as the failure counts as sent after it)
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'server_error');
    assert.deepEqual(w.called, ['Y', 'X', 'Y']);
    serviceDown = true;
    w.tick(1);
    assert.equal(await w.code(w.breaker.fetchOrder('Z')), 'outage');
    assert.deepEqual(w.called.slice(3), ['Z', 'Y', 'Y', 'Y']);
  });

  test('many orders failing at once, each for its own reason: one check for all of them', async () => {
    const w = setup((id) => (id.startsWith('BAD') ? down() : id === PROBE_ORDER_ID ? notFound() : undefined));
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => w.code(w.breaker.fetchOrder(`BAD${i}`))));
    assert.deepEqual(codes, Array<string>(10).fill('server_error'));
    assert.equal(w.called.filter((id) => id === PROBE_ORDER_ID).length, 1);
    assert.equal(w.breaker.snapshot().open, false);
  });

  test('busy hours: 25 concurrent reads fail, the window opens it, every caller is told outage', async () => {
    const w = setup(down);
    const codes = await Promise.all(Array.from({ length: 25 }, (_, i) => w.code(w.breaker.fetchOrder(`O${i}`))));
    assert.deepEqual(codes, Array<string>(25).fill('outage'));
    assert.equal(w.changes.length, 1);
    assert.equal(w.changes[0]?.outage?.cause, 'window');
    assert.ok(w.called.length <= 26, `${w.called.length} calls`);
  });

  test('open: one probe per interval, a real read; an answer closes it and the outage is reported', async () => {
    let serviceDown = true;
    const w = setup(() => (serviceDown ? down() : undefined));
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'outage');
    assert.equal(await w.code(w.breaker.fetchOrder('A')), 'outage'); // rejected, not called
    w.tick(1000);
    assert.equal(await w.code(w.breaker.fetchOrder('B')), 'outage'); // the probe, still down
    assert.deepEqual(w.called.slice(4), ['B']);
    serviceDown = false;
    w.tick(500);
    assert.equal(await w.code(w.breaker.fetchOrder('C')), 'outage'); // rejected
    w.tick(500);
    assert.equal(await w.code(w.breaker.fetchOrder('D')), 'ok');
    assert.equal(w.changes.length, 2);
    const closed = w.changes[1];
    assert.equal(closed?.open, false);
    assert.deepEqual([closed?.outage?.probes, closed?.outage?.rejected], [2, 2]);
    assert.equal(closed?.outage?.until?.getTime(), 3000);
    assert.equal(await w.code(w.breaker.fetchOrder('E')), 'ok');
  });

  test('another instance reports it down: no call fails first; one probe checks the claim', async () => {
    const w = setup(down);
    w.tick(5000);
    w.breaker.peerDown(new Date(4000));
    assert.equal(w.breaker.snapshot().open, true);
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'outage'); // the probe: still down
    assert.equal(await w.code(w.breaker.fetchOrder('Y')), 'outage'); // rejected
    assert.deepEqual(w.called, ['X']);
  });

  test('another instance\'s report older than an answer this instance saw is not taken', async () => {
    const w = setup(() => undefined);
    w.tick(5000);
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'ok');
    w.breaker.peerDown(new Date(4000));
    assert.equal(w.breaker.snapshot().open, false);
    assert.equal(w.changes.length, 0);
  });

  test('a bug (unclassified error) passes through unchanged: no check, never opens it', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const w = setup(() => bug);
    for (let i = 0; i < 30; i++) await assert.rejects(w.breaker.fetchOrder(`O${i}`), (e) => e === bug);
    assert.equal(w.called.length, 30, 'no verification read for a bug');
    assert.equal(w.breaker.snapshot().open, false);
    assert.equal(w.changes.length, 0);
  });

  test('open: a probe that hits a bug keeps it open and frees the next probe', async () => {
    let answer: () => Error | undefined = down;
    const w = setup(() => answer());
    assert.equal(await w.code(w.breaker.fetchOrder('X')), 'outage');
    answer = () => new TypeError('bug');
    w.tick(1000);
    await assert.rejects(w.breaker.fetchOrder('B'), TypeError);
    assert.equal(w.breaker.snapshot().open, true);
    answer = () => undefined;
    w.tick(1000);
    assert.equal(await w.code(w.breaker.fetchOrder('C')), 'ok');
  });

  test('404s for everyone never open it and need no check', async () => {
    const w = setup(notFound);
    for (let i = 0; i < 50; i++) await w.code(w.breaker.fetchOrder(`O${i}`));
    assert.equal(w.called.length, 50);
    assert.equal(w.changes.length, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError, RetriableError } from '../../src/errors';
import { backoffMs, isReplicaLag, lagFloorMs, MAX_BACKOFF_MS, REPLICA_LAG_SPAN_MS, retryDelayMs } from '../../src/retry/backoff';

describe('backoffMs', () => {
  it('starts at the base and doubles per attempt (no jitter at random=0.5)', () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, 10_000, 0.5)), [10_000, 20_000, 40_000, 80_000]);
  });
  it('jitters within ±50%', () => {
    assert.equal(backoffMs(1, 1000, 0), 500);
    assert.equal(backoffMs(1, 1000, 0.999999), 1500);
  });
  it('is capped', () => {
    assert.equal(backoffMs(40, 10_000, 0.5), MAX_BACKOFF_MS);
  });
});

/** Least total delay after the first attempt over `max` attempts: every jitter at its lowest. */
function leastSpan(base: number, max: number, lag: boolean): number {
  let sum = 0;
  for (let n = 2; n <= max; n++) sum += retryDelayMs(n, base, max, lag, 0);
  return sum;
}

describe('replica lag outlasted: the floor on the span of the retries', () => {
  it('the contract defaults span far more than any lag on their own (10 min at the least)', () => {
    assert.equal(leastSpan(10_000, 7, false), 630_000);
    assert.equal(leastSpan(10_000, 7, true), 630_000);
  });
  // base, attempts: least span without the floor, with it (lag)
  const cases: [number, number, number][] = [
    [200, 7, 12_600], // the in-process service tests
    [100, 7, 6_300],
    [10, 7, 630], // the retry-job tests: less than one replica lag
    [10, 3, 30],
    [100, 2, 100],
  ];
  for (const [base, max, without] of cases) {
    it(`base ${base} ms, ${max} attempts: ${without} ms without the floor, ≥ ${REPLICA_LAG_SPAN_MS} ms with it`, () => {
      assert.equal(leastSpan(base, max, false), without);
      const span = leastSpan(base, max, true);
      assert.ok(span >= REPLICA_LAG_SPAN_MS && span < REPLICA_LAG_SPAN_MS + max, `${span}`);
    });
  }
  it('holds for every jitter', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      let sum = 0;
      for (let n = 2; n <= 7; n++) sum += retryDelayMs(n, 10, 7, true, r);
      assert.ok(sum >= REPLICA_LAG_SPAN_MS, `random ${r}: ${sum}`);
    }
  });
  it('keeps the doubling shape: each floor twice the one before', () => {
    assert.deepEqual([2, 3, 4, 5, 6, 7].map((n) => lagFloorMs(n, 7)), [477, 953, 1905, 3810, 7620, 15239]);
  });
  it('only lag gets the floor: a 5xx of one order fails as fast as its backoff says', () => {
    assert.equal(retryDelayMs(2, 10, 7, false, 0.5), 20);
    assert.equal(retryDelayMs(2, 10, 7, true, 0.5), 477);
  });
  it('no floor where there is no later attempt', () => {
    assert.deepEqual([lagFloorMs(1, 7), lagFloorMs(8, 7), lagFloorMs(2, 1)], [0, 0, 0]);
  });
  it('404 and stale answers are lag; 5xx and contract breaks are not', () => {
    assert.deepEqual(
      [new RetriableError('not_found', ''), new RetriableError('stale', ''), new RetriableError('server_error', ''), new PermanentError('contract', '')].map(isReplicaLag),
      [true, true, false, false],
    );
  });
});

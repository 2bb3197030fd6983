import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, MAX_BACKOFF_MS } from '../../src/retry/backoff';

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

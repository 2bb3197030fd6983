import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedCheck } from '../../src/readiness/cached-check';

function deferred(): { promise: Promise<string>; resolve: (v: string) => void; reject: (e: Error) => void } {
  let resolve!: (v: string) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('cachedCheck', () => {
  it('runs one check for any number of callers while one is in flight', async () => {
    const t = 0;
    const runs: Array<ReturnType<typeof deferred>> = [];
    const check = cachedCheck(() => {
      const d = deferred();
      runs.push(d);
      return d.promise;
    }, { maxAgeMs: 1000, now: () => t });
    const callers = Array.from({ length: 64 }, () => check());
    assert.equal(runs.length, 1);
    runs[0]?.resolve('a');
    assert.deepEqual(new Set(await Promise.all(callers)), new Set(['a']));
  });

  it('answers from a result younger than maxAgeMs, then checks again', async () => {
    let t = 0;
    let n = 0;
    const check = cachedCheck(() => Promise.resolve(`r${++n}`), { maxAgeMs: 1000, now: () => t });
    assert.equal(await check(), 'r1');
    t = 999;
    assert.equal(await check(), 'r1');
    t = 1000;
    assert.equal(await check(), 'r2');
    assert.equal(n, 2);
  });

  it('a failed check is not kept: the next caller runs a new one', async () => {
    let n = 0;
    const check = cachedCheck(() => (++n === 1 ? Promise.reject(new Error('down')) : Promise.resolve('up')), { now: () => 0 });
    await assert.rejects(check(), /down/);
    assert.equal(await check(), 'up');
  });

  it('the age counts from the start of the check', async () => {
    let t = 0;
    const d = deferred();
    let n = 0;
    const check = cachedCheck(() => (++n === 1 ? d.promise : Promise.resolve('second')), { maxAgeMs: 1000, now: () => t });
    const first = check();
    t = 800;
    d.resolve('first');
    assert.equal(await first, 'first');
    t = 1000;
    assert.equal(await check(), 'second');
  });
});

// The request limits' arithmetic: buckets, keyed buckets with bounded memory, address keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, createKeyedLimiter } from '../../src/limits/keyed-limiter';
import { createLimiters, DEFAULT_RATE_LIMITS, retryAfterSeconds, tokenLimitKey, type LimitName } from '../../src/limits/limits';
import { fullBucket, takeToken } from '../../src/limits/token-bucket';

describe('token bucket', () => {
  const spec = { perMinute: 60, burst: 3 };
  it('gives the burst, then one token per refill interval, and says when', () => {
    const b = fullBucket(spec, 0);
    assert.deepEqual([takeToken(b, spec, 0), takeToken(b, spec, 0), takeToken(b, spec, 0)], [{ ok: true }, { ok: true }, { ok: true }]);
    assert.deepEqual(takeToken(b, spec, 0), { ok: false, retryAfterMs: 1000 });
    assert.deepEqual(takeToken(b, spec, 400), { ok: false, retryAfterMs: 600 });
    assert.deepEqual(takeToken(b, spec, 1000), { ok: true });
    assert.equal(takeToken(b, spec, 1000).ok, false);
  });
  it('never holds more than the burst, however long it waited', () => {
    const b = fullBucket(spec, 0);
    for (let i = 0; i < 3; i++) takeToken(b, spec, 0);
    const after = [1, 2, 3, 4].map(() => takeToken(b, spec, 3_600_000).ok);
    assert.deepEqual(after, [true, true, true, false]);
  });
  it('burst 0 switches the limit off; perMinute 0 never refills', () => {
    const off = { perMinute: 0, burst: 0 };
    const b = fullBucket(off, 0);
    for (let i = 0; i < 100; i++) assert.equal(takeToken(b, off, 0).ok, true);
    const once = { perMinute: 0, burst: 1 };
    const c = fullBucket(once, 0);
    assert.equal(takeToken(c, once, 0).ok, true);
    const r = takeToken(c, once, 10 ** 9);
    assert.equal(r.ok, false);
    assert.equal(retryAfterSeconds(r.ok ? 0 : r.retryAfterMs), 3600);
  });
  it('Retry-After is whole seconds, at least 1', () => {
    assert.deepEqual([retryAfterSeconds(1), retryAfterSeconds(1000), retryAfterSeconds(1001)], [1, 1, 2]);
  });
});

describe('keyed limiter', () => {
  it('keeps one bucket per key', () => {
    let t = 0;
    const l = createKeyedLimiter({ perMinute: 60, burst: 1 }, { now: () => t });
    assert.equal(l.take('a').ok, true);
    assert.equal(l.take('a').ok, false);
    assert.equal(l.take('b').ok, true);
    t = 1000;
    assert.equal(l.take('a').ok, true);
  });
  it('forgets refilled buckets and stays under maxKeys', () => {
    let t = 0;
    const l = createKeyedLimiter({ perMinute: 60, burst: 2 }, { now: () => t, maxKeys: 100, sweepEvery: 50 });
    for (let i = 0; i < 1000; i++) l.take(`addr${i}`);
    assert.ok(l.size() <= 101, `size ${l.size()}`);
    t = 60_000;
    for (let i = 0; i < 50; i++) l.take('again');
    assert.ok(l.size() <= 2, `full buckets swept, size ${l.size()}`);
  });
});

describe('limit keys', () => {
  it('addresses: IPv4 as is, mapped IPv4 as IPv4, IPv6 by /64', () => {
    assert.equal(addressKey('10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey(undefined), 'unknown');
  });
  it('tokens: a device by its id, any other token by its signature', () => {
    const claims = { role: 'kitchen' as const, env: 'test', merchantId: 'M1', iat: 0, exp: 1 };
    assert.equal(tokenLimitKey({ ...claims, deviceId: 'dev_1' }, 'h.p.sig'), 'dev:dev_1');
    assert.equal(tokenLimitKey(claims, 'h.p.sig'), 'tok:sig');
  });
});

describe('limiters', () => {
  it('tell which limit refused (the kds_rate_limited_total metric)', () => {
    const refused: LimitName[] = [];
    const t = 0;
    const l = createLimiters({ ...DEFAULT_RATE_LIMITS, wsPerToken: { perMinute: 1, burst: 1 } }, (n) => refused.push(n), () => t);
    assert.equal(l.wsPerToken.take('k').ok, true);
    assert.equal(l.wsPerToken.take('k').ok, false);
    assert.equal(l.apiPerToken.take('k').ok, true);
    assert.deepEqual(refused, ['wsPerToken']);
  });
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { mayReadOrder, mayUseMerchant } from '../../src/auth/access';
import { bearerToken } from '../../src/auth/bearer';
import { signToken, tokenRequestProblem, verifyToken, type Claims } from '../../src/auth/token';

const SECRET = 'unit-secret-0123456789abcdefghijklmnop';
const NOW = Date.UTC(2024, 0, 1);

function claimsOf(t: string): Claims {
  const v = verifyToken(t, SECRET, NOW);
  assert.ok(v.ok, 'token verifies');
  return v.claims;
}

describe('tokens', () => {
  it('round-trips every role with its claims', () => {
    assert.deepEqual(claimsOf(signToken({ role: 'kitchen', merchantId: 'M1' }, SECRET, NOW)), {
      role: 'kitchen', merchantId: 'M1', iat: NOW / 1000, exp: NOW / 1000 + 12 * 3600,
    });
    assert.equal(claimsOf(signToken({ role: 'waiter', merchantId: 'M1' }, SECRET, NOW)).role, 'waiter');
    const guest = claimsOf(signToken({ role: 'guest', merchantId: 'M1', orderId: 'O1', ttlSeconds: 60 }, SECRET, NOW));
    assert.equal(guest.orderId, 'O1');
    assert.equal(guest.exp - guest.iat, 60);
    const admin = claimsOf(signToken({ role: 'admin', merchantId: 'ignored' }, SECRET, NOW));
    assert.equal(admin.merchantId, undefined, 'admin tokens carry no merchant');
  });

  it('is a JWT HS256: header, payload and signature check out with plain crypto', () => {
    const t = signToken({ role: 'kitchen', merchantId: 'M1' }, SECRET, NOW);
    const [h, p, s] = t.split('.') as [string, string, string];
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    assert.equal((JSON.parse(Buffer.from(p, 'base64url').toString()) as Claims).merchantId, 'M1');
    assert.equal(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'), s);
  });

  it('rejects expired, tampered, foreign and malformed tokens', () => {
    const t = signToken({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 10 }, SECRET, NOW);
    assert.deepEqual(verifyToken(t, SECRET, NOW + 10_000), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyToken(t, 'another-secret-0123456789abcdefghij', NOW), { ok: false, reason: 'signature' });
    const [h, , s] = t.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ role: 'admin', iat: 0, exp: 9e9 })).toString('base64url');
    assert.deepEqual(verifyToken(`${h}.${forged}.${s}`, SECRET, NOW), { ok: false, reason: 'signature' });
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    assert.deepEqual(verifyToken(`${none}.${forged}.`, SECRET, NOW), { ok: false, reason: 'malformed' });
    for (const bad of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${h}.${forged}.${s.slice(0, 10)}`]) {
      assert.equal(verifyToken(bad, SECRET, NOW).ok, false, bad);
    }
  });

  it('rejects well-signed tokens whose claims break the role rules', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const forge = (claims: object): string => {
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`;
    };
    const exp = NOW / 1000 + 60;
    assert.equal(verifyToken(forge({ role: 'guest', merchantId: 'M1', iat: 0, exp }), SECRET, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', iat: 0, exp }), SECRET, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'chef', merchantId: 'M1', iat: 0, exp }), SECRET, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', merchantId: 'M/1', iat: 0, exp }), SECRET, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', merchantId: 'M1', iat: 0 }), SECRET, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', merchantId: 'M1', iat: 0, exp }), SECRET, NOW).ok, true);
  });

  it('explains bad requests', () => {
    assert.match(tokenRequestProblem({ role: 'guest', merchantId: 'M1' }) ?? '', /order/);
    assert.match(tokenRequestProblem({ role: 'kitchen' }) ?? '', /merchant/);
    assert.match(tokenRequestProblem({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 0 }) ?? '', /ttl/);
    assert.equal(tokenRequestProblem({ role: 'admin' }), undefined);
    assert.throws(() => signToken({ role: 'guest', merchantId: 'M1' }, SECRET));
  });

  it('parses bearer headers', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('access rules', () => {
  const c = (role: Claims['role'], merchantId?: string, orderId?: string): Claims => ({ role, merchantId, orderId, iat: 0, exp: 1 });
  it('merchants', () => {
    assert.equal(mayUseMerchant(c('kitchen', 'M1'), 'M1'), true);
    assert.equal(mayUseMerchant(c('waiter', 'M1'), 'M2'), false);
    assert.equal(mayUseMerchant(c('admin'), 'M2'), true);
  });
  it('orders', () => {
    const o = { orderId: 'O1', merchantId: 'M1' };
    assert.equal(mayReadOrder(c('guest', 'M1', 'O1'), o), true);
    assert.equal(mayReadOrder(c('guest', 'M1', 'O2'), o), false);
    assert.equal(mayReadOrder(c('guest', 'M2', 'O1'), o), false);
    assert.equal(mayReadOrder(c('kitchen', 'M1'), o), true);
    assert.equal(mayReadOrder(c('kitchen', 'M2'), o), false);
    assert.equal(mayReadOrder(c('admin'), o), true);
  });
});

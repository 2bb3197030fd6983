import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { mayReadOrder, mayUseMerchant } from '../../src/auth/access';
import { bearerToken } from '../../src/auth/bearer';
import {
  DEVICE_MAX_TTL_SECONDS, MAX_TTL_SECONDS, signToken, tokenRequestProblem, verifyToken, type Claims,
} from '../../src/auth/token';
import { createTokenAuth, type RevocationCheck } from '../../src/auth/token-auth';

const SECRET = 'unit-secret-0123456789abcdefghijklmnop';
const KEY = { secret: SECRET, env: 'test' };
const NOW = Date.UTC(2024, 0, 1);

function claimsOf(t: string): Claims {
  const v = verifyToken(t, KEY, NOW);
  assert.ok(v.ok, 'token verifies');
  return v.claims;
}

describe('tokens', () => {
  it('round-trips every role with its claims', () => {
    assert.deepEqual(claimsOf(signToken({ role: 'kitchen', merchantId: 'M1' }, KEY, NOW)), {
      role: 'kitchen', env: 'test', merchantId: 'M1', iat: NOW / 1000, exp: NOW / 1000 + 12 * 3600,
    });
    assert.equal(claimsOf(signToken({ role: 'waiter', merchantId: 'M1' }, KEY, NOW)).role, 'waiter');
    const guest = claimsOf(signToken({ role: 'guest', merchantId: 'M1', orderId: 'O1', ttlSeconds: 60 }, KEY, NOW));
    assert.equal(guest.orderId, 'O1');
    assert.equal(guest.exp - guest.iat, 60);
    const admin = claimsOf(signToken({ role: 'admin', merchantId: 'ignored' }, KEY, NOW));
    assert.equal(admin.merchantId, undefined, 'admin tokens carry no merchant');
  });

  it('is a JWT HS256: header, payload and signature check out with plain crypto', () => {
    const t = signToken({ role: 'kitchen', merchantId: 'M1' }, KEY, NOW);
    const [h, p, s] = t.split('.') as [string, string, string];
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    assert.equal((JSON.parse(Buffer.from(p, 'base64url').toString()) as Claims).merchantId, 'M1');
    assert.equal(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'), s);
  });

  it('rejects expired, tampered, foreign and malformed tokens', () => {
    const t = signToken({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 10 }, KEY, NOW);
    assert.deepEqual(verifyToken(t, KEY, NOW + 10_000), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyToken(t, { ...KEY, secret: 'another-secret-0123456789abcdefghij' }, NOW), { ok: false, reason: 'signature' });
    const [h, , s] = t.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ role: 'admin', iat: 0, exp: 9e9 })).toString('base64url');
    assert.deepEqual(verifyToken(`${h}.${forged}.${s}`, KEY, NOW), { ok: false, reason: 'signature' });
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    assert.deepEqual(verifyToken(`${none}.${forged}.`, KEY, NOW), { ok: false, reason: 'malformed' });
    for (const bad of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${h}.${forged}.${s.slice(0, 10)}`]) {
      assert.equal(verifyToken(bad, KEY, NOW).ok, false, bad);
    }
  });

  it('accepts only the canonical spelling of a signature (one token, one name)', () => {
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let refused = 0;
    // a few tokens: each signature's last character has 2 unused bits, so 3 other spellings decode alike
    for (let i = 0; i < 8; i++) {
      const t = signToken({ role: 'guest', merchantId: 'M1', orderId: `O${i}` }, KEY, NOW);
      assert.equal(verifyToken(t, KEY, NOW).ok, true);
      const last = B64.indexOf(t.slice(-1));
      const base = last & ~3;
      for (let low = 0; low < 4; low++) {
        const spelled = `${t.slice(0, -1)}${B64[base + low] ?? ''}`;
        if (spelled === t) continue;
        assert.deepEqual(Buffer.from(spelled.split('.')[2] ?? '', 'base64url'), Buffer.from(t.split('.')[2] ?? '', 'base64url'),
          'same bytes');
        assert.deepEqual(verifyToken(spelled, KEY, NOW), { ok: false, reason: 'signature' }, spelled);
        refused++;
      }
      // padding and the standard alphabet are other spellings of the same bytes too
      assert.equal(verifyToken(`${t}=`, KEY, NOW).ok, false);
    }
    assert.equal(refused, 8 * 3);
  });

  it('rejects well-signed tokens whose claims break the role rules', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const forge = (claims: object): string => {
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`;
    };
    const exp = NOW / 1000 + 60;
    const iat = NOW / 1000 - 60;
    const env = 'test';
    assert.equal(verifyToken(forge({ role: 'guest', env, merchantId: 'M1', iat, exp }), KEY, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', env, iat, exp }), KEY, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'chef', env, merchantId: 'M1', iat, exp }), KEY, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', env, merchantId: 'M/1', iat, exp }), KEY, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', env, merchantId: 'M1', iat }), KEY, NOW).ok, false);
    assert.equal(verifyToken(forge({ role: 'kitchen', merchantId: 'M1', iat, exp }), KEY, NOW).ok, false, 'no env');
    assert.equal(verifyToken(forge({ role: 'guest', env, merchantId: 'M1', orderId: 'O1', deviceId: 'd1', iat, exp }), KEY, NOW).ok, false, 'guest device');
    assert.equal(verifyToken(forge({ role: 'kitchen', env, merchantId: 'M1', iat, exp }), KEY, NOW).ok, true);
    // the lifetime rule: a claimed life past the maximum of the kind, or an iat in the future
    const long = forge({ role: 'kitchen', env, merchantId: 'M1', iat, exp: iat + MAX_TTL_SECONDS + 1 });
    assert.deepEqual(verifyToken(long, KEY, NOW), { ok: false, reason: 'lifetime' });
    const longDevice = forge({ role: 'kitchen', env, merchantId: 'M1', deviceId: 'd1', iat, exp: iat + DEVICE_MAX_TTL_SECONDS + 1 });
    assert.deepEqual(verifyToken(longDevice, KEY, NOW), { ok: false, reason: 'lifetime' });
    const device = forge({ role: 'kitchen', env, merchantId: 'M1', deviceId: 'd1', iat, exp: iat + DEVICE_MAX_TTL_SECONDS });
    assert.equal(verifyToken(device, KEY, NOW).ok, true);
    const future = forge({ role: 'kitchen', env, merchantId: 'M1', iat: NOW / 1000 + 3600, exp: NOW / 1000 + 7200 });
    assert.deepEqual(verifyToken(future, KEY, NOW), { ok: false, reason: 'lifetime' });
  });

  it('binds a token to its environment: pre is refused by prod with the same secret', () => {
    const pre = signToken({ role: 'admin' }, { secret: SECRET, env: 'pre' }, NOW);
    assert.deepEqual(verifyToken(pre, { secret: SECRET, env: 'prod' }, NOW), { ok: false, reason: 'environment' });
    assert.equal(verifyToken(pre, { secret: SECRET, env: 'pre' }, NOW).ok, true);
  });

  it('device tokens: default 30 days, device roles only, at most 30 days', () => {
    const t = signToken({ role: 'kitchen', merchantId: 'M1', deviceId: 'dev_1' }, KEY, NOW);
    const c = claimsOf(t);
    assert.equal(c.deviceId, 'dev_1');
    assert.equal(c.exp - c.iat, 30 * 24 * 3600);
    assert.match(tokenRequestProblem({ role: 'admin', deviceId: 'd' }) ?? '', /device token/);
    assert.match(tokenRequestProblem({ role: 'guest', merchantId: 'M1', orderId: 'O1', deviceId: 'd' }) ?? '', /device token/);
    assert.match(tokenRequestProblem({ role: 'kitchen', merchantId: 'M1', deviceId: 'd', ttlSeconds: DEVICE_MAX_TTL_SECONDS + 1 }) ?? '', /at most/);
    assert.match(tokenRequestProblem({ role: 'kitchen', merchantId: 'M1', ttlSeconds: MAX_TTL_SECONDS + 1 }) ?? '', /at most/);
    assert.equal(tokenRequestProblem({ role: 'board', merchantId: 'M1', deviceId: 'd' }), undefined);
    assert.equal(tokenRequestProblem({ role: 'manager', merchantId: 'M1' }), undefined);
  });

  it('the shared check refuses revoked devices and reports use of the others', () => {
    const revoked = new Set(['dev_gone']);
    const seen: string[] = [];
    const check: RevocationCheck = { isRevoked: (id) => revoked.has(id), seen: (id) => seen.push(id), onRevoked: () => () => undefined };
    const auth = createTokenAuth(KEY, check);
    const gone = signToken({ role: 'kitchen', merchantId: 'M1', deviceId: 'dev_gone' }, KEY, NOW);
    const kept = signToken({ role: 'kitchen', merchantId: 'M1', deviceId: 'dev_kept' }, KEY, NOW);
    assert.deepEqual(auth.verify(gone, NOW), { ok: false, reason: 'revoked' });
    assert.equal(auth.verify(kept, NOW).ok, true);
    assert.equal(auth.verify(signToken({ role: 'waiter', merchantId: 'M1' }, KEY, NOW), NOW).ok, true);
    assert.deepEqual(seen, ['dev_kept']);
  });

  it('explains bad requests', () => {
    assert.match(tokenRequestProblem({ role: 'guest', merchantId: 'M1' }) ?? '', /order/);
    assert.match(tokenRequestProblem({ role: 'kitchen' }) ?? '', /merchant/);
    assert.match(tokenRequestProblem({ role: 'kitchen', merchantId: 'M1', ttlSeconds: 0 }) ?? '', /ttl/);
    assert.equal(tokenRequestProblem({ role: 'admin' }), undefined);
    assert.throws(() => signToken({ role: 'guest', merchantId: 'M1' }, KEY));
  });

  it('parses bearer headers', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('access rules', () => {
  const c = (role: Claims['role'], merchantId?: string, orderId?: string): Claims => ({ role, env: 'test', merchantId, orderId, iat: 0, exp: 1 });
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

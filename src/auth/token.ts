// Bearer tokens: JWT (HS256) compatible, so any JWT tool can inspect them, but signed and checked
// here with node:crypto alone. Only HS256 is accepted: a token cannot pick its own algorithm
// (the classic "alg":"none" hole). Pure: no clock or secret of its own.
//
// What a token proves: its role, merchant (order for guests), the environment it was issued for
// (`env` = KDS_ENV: a `pre` token is refused by `prod` even if both share a secret), and for a
// device token the device id that can be revoked. A token claiming a longer life than its kind
// may have is refused, so a leaked secret cannot mint "forever" tokens that outlive a rotation
// plan, and a clock mistake at issue time shows up at once.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ROLES = ['kitchen', 'waiter', 'manager', 'board', 'admin', 'guest'] as const;
export type Role = (typeof ROLES)[number];
/** Roles a paired device may carry (a device belongs to one merchant; guests are per order). */
export const DEVICE_ROLES = ['kitchen', 'waiter', 'manager', 'board'] as const satisfies readonly Role[];

/** Ids of merchants, orders, items and devices: what the HTTP layer and tokens accept. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_PATTERN = /^[a-z0-9]+$/;

export const DEFAULT_TTL_SECONDS = 12 * 3600;
/** Longest life of an ordinary (non-device) token. */
export const MAX_TTL_SECONDS = 24 * 3600;
/** Device tokens: a kitchen tablet is paired once and keeps working for weeks (contract: ≤ 30 days). */
export const DEVICE_DEFAULT_TTL_SECONDS = 30 * 24 * 3600;
export const DEVICE_MAX_TTL_SECONDS = 30 * 24 * 3600;
/** Clock difference between the issuing machine and the service that is tolerated on `iat`. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export interface Claims {
  role: Role;
  /** The KDS_ENV the token was issued for. */
  env: string;
  /** Absent for admin only. */
  merchantId?: string;
  /** Present for guest only: the one order it may see. */
  orderId?: string;
  /** Present on device tokens only: the `devices` row that can revoke it. */
  deviceId?: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

export type RefusalReason = 'malformed' | 'signature' | 'expired' | 'claims' | 'environment' | 'lifetime' | 'revoked';

export type Verified = { ok: true; claims: Claims } | { ok: false; reason: RefusalReason };

/** What signs and checks: the secret, and the environment tokens are bound to. */
export interface TokenKey {
  secret: string;
  env: string;
}

export interface TokenRequest {
  role: Role;
  merchantId?: string;
  orderId?: string;
  deviceId?: string;
  ttlSeconds?: number;
}

const HEADER = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function sign(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function isDeviceRole(v: Role): boolean {
  return (DEVICE_ROLES as readonly string[]).includes(v);
}

export function maxTtlSeconds(device: boolean): number {
  return device ? DEVICE_MAX_TTL_SECONDS : MAX_TTL_SECONDS;
}

/** Checks a request against the role rules; returns a message or undefined when fine. */
export function tokenRequestProblem(req: TokenRequest): string | undefined {
  if (!isRole(req.role)) return `role must be one of ${ROLES.join(', ')}`;
  if (req.role !== 'admin') {
    if (req.merchantId === undefined) return `role ${req.role} needs a merchant id`;
    if (!ID_PATTERN.test(req.merchantId)) return 'merchant id must be 1-64 characters of [A-Za-z0-9_-]';
  }
  if (req.role === 'guest') {
    if (req.orderId === undefined) return 'role guest needs an order id';
    if (!ID_PATTERN.test(req.orderId)) return 'order id must be 1-64 characters of [A-Za-z0-9_-]';
  }
  const device = req.deviceId !== undefined;
  if (device) {
    if (!isDeviceRole(req.role)) return `a device token is for one of ${DEVICE_ROLES.join(', ')}`;
    if (!ID_PATTERN.test(req.deviceId ?? '')) return 'device id must be 1-64 characters of [A-Za-z0-9_-]';
  }
  const ttl = req.ttlSeconds ?? (device ? DEVICE_DEFAULT_TTL_SECONDS : DEFAULT_TTL_SECONDS);
  if (!Number.isInteger(ttl) || ttl < 1) return 'ttl must be a positive whole number of seconds';
  const max = maxTtlSeconds(device);
  if (ttl > max) return `ttl may be at most ${max} seconds for ${device ? 'a device' : 'an ordinary'} token`;
  return undefined;
}

export function signToken(req: TokenRequest, key: TokenKey, nowMs: number = Date.now()): string {
  const problem = tokenRequestProblem(req);
  if (problem !== undefined) throw new Error(problem);
  if (!ENV_PATTERN.test(key.env)) throw new Error('env must match [a-z0-9]+');
  const device = req.deviceId !== undefined;
  const iat = Math.floor(nowMs / 1000);
  const ttl = req.ttlSeconds ?? (device ? DEVICE_DEFAULT_TTL_SECONDS : DEFAULT_TTL_SECONDS);
  const claims: Claims = { role: req.role, env: key.env, iat, exp: iat + ttl };
  // admin sees every merchant: a merchant id on an admin token would only mislead readers
  if (req.role !== 'admin') claims.merchantId = req.merchantId;
  if (req.role === 'guest') claims.orderId = req.orderId;
  if (device) claims.deviceId = req.deviceId;
  const body = `${HEADER}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
  return `${body}.${b64url(sign(body, key.secret))}`;
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function claimsFrom(v: unknown): Claims | undefined {
  if (!isRecord(v) || !isRole(v.role)) return undefined;
  const { role, env, merchantId, orderId, deviceId, iat, exp } = v;
  if (typeof exp !== 'number' || typeof iat !== 'number' || !Number.isFinite(exp) || !Number.isFinite(iat)) return undefined;
  if (typeof env !== 'string' || !ENV_PATTERN.test(env)) return undefined;
  const claims: Claims = { role, env, iat, exp };
  if (role !== 'admin') {
    if (typeof merchantId !== 'string' || !ID_PATTERN.test(merchantId)) return undefined;
    claims.merchantId = merchantId;
  }
  if (role === 'guest') {
    if (typeof orderId !== 'string' || !ID_PATTERN.test(orderId)) return undefined;
    claims.orderId = orderId;
  }
  if (deviceId !== undefined) {
    if (typeof deviceId !== 'string' || !ID_PATTERN.test(deviceId) || !isDeviceRole(role)) return undefined;
    claims.deviceId = deviceId;
  }
  return claims;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Signature, claims, environment, lifetime and expiry; revocation is the caller's (token-auth.ts). */
export function verifyToken(token: string, key: TokenKey, nowMs: number = Date.now()): Verified {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return { ok: false, reason: 'malformed' };
  const header = parseJson(h);
  if (!isRecord(header) || header.alg !== 'HS256') return { ok: false, reason: 'malformed' };
  const expected = sign(`${h}.${p}`, key.secret);
  const given = Buffer.from(s, 'base64url');
  // One spelling per signature: base64url's last character carries unused low bits, so four
  // spellings decode to the same 32 bytes. Accepting them all would give one token four names
  // (and four rate-limit buckets keyed on its signature, src/limits/limits.ts tokenLimitKey).
  // Re-encoding is the canonical check; it looks only at what the caller sent.
  if (given.toString('base64url') !== s) return { ok: false, reason: 'signature' };
  // timingSafeEqual needs equal lengths; the length of an HMAC is public anyway
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  const claims = claimsFrom(parseJson(p));
  if (claims === undefined) return { ok: false, reason: 'claims' };
  if (claims.env !== key.env) return { ok: false, reason: 'environment' };
  const nowS = nowMs / 1000;
  const lifetime = claims.exp - claims.iat;
  if (lifetime > maxTtlSeconds(claims.deviceId !== undefined) || claims.iat > nowS + MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'lifetime' };
  }
  if (claims.exp <= nowS) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  malformed: 'malformed token',
  signature: 'bad token signature',
  expired: 'token expired',
  claims: 'token claims are invalid',
  environment: 'token of another environment',
  lifetime: 'token lifetime is longer than allowed, or it was issued in the future',
  revoked: 'device token revoked',
};

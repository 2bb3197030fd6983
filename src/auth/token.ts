// Bearer tokens: JWT (HS256) compatible, so any JWT tool can inspect them, but signed and checked
// here with node:crypto alone. Only HS256 is accepted: a token cannot pick its own algorithm
// (the classic "alg":"none" hole).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ROLES = ['kitchen', 'waiter', 'manager', 'admin', 'guest'] as const;
export type Role = (typeof ROLES)[number];

/** Ids of merchants, orders and items: what the HTTP layer and tokens accept. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const DEFAULT_TTL_SECONDS = 12 * 3600;
export const MIN_SECRET_LENGTH = 32;

export interface Claims {
  role: Role;
  /** Absent for admin only. */
  merchantId?: string;
  /** Present for guest only: the one order it may see. */
  orderId?: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

export type Verified =
  | { ok: true; claims: Claims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'claims' };

export interface TokenRequest {
  role: Role;
  merchantId?: string;
  orderId?: string;
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
  const ttl = req.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1) return 'ttl must be a positive whole number of seconds';
  return undefined;
}

export function signToken(req: TokenRequest, secret: string, nowMs: number = Date.now()): string {
  const problem = tokenRequestProblem(req);
  if (problem !== undefined) throw new Error(problem);
  const iat = Math.floor(nowMs / 1000);
  const claims: Claims = { role: req.role, iat, exp: iat + (req.ttlSeconds ?? DEFAULT_TTL_SECONDS) };
  // admin sees every merchant: a merchant id on an admin token would only mislead readers
  if (req.role !== 'admin') claims.merchantId = req.merchantId;
  if (req.role === 'guest') claims.orderId = req.orderId;
  const body = `${HEADER}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
  return `${body}.${b64url(sign(body, secret))}`;
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
  const { role, merchantId, orderId, iat, exp } = v;
  if (typeof exp !== 'number' || typeof iat !== 'number') return undefined;
  const claims: Claims = { role, iat, exp };
  if (role !== 'admin') {
    if (typeof merchantId !== 'string' || !ID_PATTERN.test(merchantId)) return undefined;
    claims.merchantId = merchantId;
  }
  if (role === 'guest') {
    if (typeof orderId !== 'string' || !ID_PATTERN.test(orderId)) return undefined;
    claims.orderId = orderId;
  }
  return claims;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

export function verifyToken(token: string, secret: string, nowMs: number = Date.now()): Verified {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return { ok: false, reason: 'malformed' };
  const header = parseJson(h);
  if (!isRecord(header) || header.alg !== 'HS256') return { ok: false, reason: 'malformed' };
  const expected = sign(`${h}.${p}`, secret);
  const given = Buffer.from(s, 'base64url');
  // timingSafeEqual needs equal lengths; the length of an HMAC is public anyway
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  const claims = claimsFrom(parseJson(p));
  if (claims === undefined) return { ok: false, reason: 'claims' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

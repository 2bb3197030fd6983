// Who is opening a WebSocket: GET /ws?token=…[&afterSeq=n][&merchant=M]. Pure given `verify`:
// from the URL and headers to a subscriber or an HTTP refusal.
import { ID_PATTERN, REFUSAL_MESSAGES, type Verified } from '../auth/token';
import { bearerToken } from '../auth/bearer';
import { tokenLimitKey } from '../limits/limits';
import type { Subscriber } from './client';

export type UpgradeDecision =
  | { ok: true; sub: Subscriber; afterSeq: number | undefined; expiresAtMs: number; limitKey: string }
  | { ok: false; status: 400 | 401 | 403 | 404; code: string; message: string };

const STATION = /^[^\p{Cc}]{1,64}$/u;

/**
 * A kitchen token's socket is a kitchen screen of `station=` (absent or empty: every station),
 * unless it says it is another view (`screen=expo`, …). Undefined: not a kitchen screen; null: a
 * malformed station.
 */
function kitchenStationOf(role: string, q: URLSearchParams): string | undefined | null {
  if (role !== 'kitchen') return undefined;
  const screen = q.get('screen');
  if (screen !== null && screen !== '' && screen !== 'kitchen') return undefined;
  const station = q.get('station') ?? '';
  if (station === '') return '';
  return STATION.test(station) ? station : null;
}

export function decideUpgrade(
  rawUrl: string,
  authorization: string | undefined,
  verify: (token: string) => Verified,
): UpgradeDecision {
  const url = new URL(rawUrl, 'http://localhost');
  if (url.pathname !== '/ws') return { ok: false, status: 404, code: 'not_found', message: `no WebSocket at ${url.pathname}` };
  const token = url.searchParams.get('token') ?? bearerToken(authorization);
  if (token === undefined || token === '') {
    return { ok: false, status: 401, code: 'unauthorized', message: 'token query parameter required' };
  }
  const v = verify(token);
  if (!v.ok) return { ok: false, status: 401, code: 'unauthorized', message: `bad token (${v.reason}: ${REFUSAL_MESSAGES[v.reason]})` };
  const limitKey = tokenLimitKey(v.claims, token);

  const rawAfter = url.searchParams.get('afterSeq');
  let afterSeq: number | undefined;
  if (rawAfter !== null && rawAfter !== '') {
    if (!/^\d{1,15}$/.test(rawAfter)) return { ok: false, status: 400, code: 'bad_request', message: 'afterSeq must be a whole number' };
    afterSeq = Number(rawAfter);
  }

  const { role, merchantId, orderId, deviceId, exp } = v.claims;
  // the pickup board shows ticket numbers only; the feed carries whole orders
  if (role === 'board') return { ok: false, status: 403, code: 'forbidden', message: 'role board may not open the screens feed' };
  const expiresAtMs = exp * 1000;
  const asked = url.searchParams.get('merchant') ?? undefined;
  if (asked !== undefined && !ID_PATTERN.test(asked)) {
    return { ok: false, status: 400, code: 'bad_request', message: 'merchant must be 1-64 characters of [A-Za-z0-9_-]' };
  }
  if (role === 'admin') {
    // an admin token names no merchant, and seq counts per merchant: the feed must pick one
    if (asked === undefined) return { ok: false, status: 400, code: 'bad_request', message: 'admin must pass merchant=<merchantId>' };
    return { ok: true, sub: { role, merchantId: asked }, afterSeq, expiresAtMs, limitKey };
  }
  if (merchantId === undefined) return { ok: false, status: 401, code: 'unauthorized', message: 'token names no merchant' };
  if (asked !== undefined && asked !== merchantId) {
    return { ok: false, status: 403, code: 'forbidden', message: 'token of another merchant' };
  }
  const kitchenStation = kitchenStationOf(role, url.searchParams);
  if (kitchenStation === null) return { ok: false, status: 400, code: 'bad_request', message: 'station must be 1-64 printable characters' };
  const sub: Subscriber = {
    role, merchantId,
    ...(orderId !== undefined ? { orderId } : {}),
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(kitchenStation !== undefined ? { kitchenStation } : {}),
  };
  return { ok: true, sub, afterSeq, expiresAtMs, limitKey };
}

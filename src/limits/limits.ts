// The four limits of the screens' surface and their defaults (documented in docs/screens.md,
// configurable through src/config.ts). Sized for a real kitchen: a screen makes a call or two a
// second at the busiest, reconnects after a deploy once, and a restaurant's screens often share
// one NAT address, so per-address limits are several screens wide.
import type { Claims } from '../auth/token';
import { createKeyedLimiter, type KeyedLimiter } from './keyed-limiter';
import type { BucketSpec } from './token-bucket';

export interface RateLimits {
  apiPerToken: BucketSpec;
  apiPerAddress: BucketSpec;
  wsPerToken: BucketSpec;
  wsPerAddress: BucketSpec;
}

export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  // 10 calls/s sustained per token, 60 at once (a bump of a full ticket, a page load)
  apiPerToken: Object.freeze({ perMinute: 600, burst: 60 }),
  // 50 calls/s per address: a dozen busy screens behind one NAT
  apiPerAddress: Object.freeze({ perMinute: 3000, burst: 300 }),
  // a screen reconnects every few seconds at worst (the pages back off up to 5 s)
  wsPerToken: Object.freeze({ perMinute: 30, burst: 10 }),
  // every screen of a restaurant reconnecting at once after a deploy
  wsPerAddress: Object.freeze({ perMinute: 600, burst: 200 }),
});

export interface Limiters {
  apiPerToken: KeyedLimiter;
  apiPerAddress: KeyedLimiter;
  wsPerToken: KeyedLimiter;
  wsPerAddress: KeyedLimiter;
}

export type LimitName = keyof Limiters;

/** `onRefused` is told of every refusal (the metric kds_rate_limited_total{limit}). */
export function createLimiters(
  limits: RateLimits = DEFAULT_RATE_LIMITS,
  onRefused?: (limit: LimitName) => void,
  now?: () => number,
): Limiters {
  const opts = now === undefined ? {} : { now };
  const make = (name: LimitName): KeyedLimiter => {
    const l = createKeyedLimiter(limits[name], opts);
    if (onRefused === undefined) return l;
    return {
      spec: l.spec,
      size: () => l.size(),
      take(key) {
        const r = l.take(key);
        if (!r.ok) onRefused(name);
        return r;
      },
    };
  };
  return {
    apiPerToken: make('apiPerToken'),
    apiPerAddress: make('apiPerAddress'),
    wsPerToken: make('wsPerToken'),
    wsPerAddress: make('wsPerAddress'),
  };
}

/** One bucket per device (however often it is re-paired), else per token (its signature). */
export function tokenLimitKey(claims: Claims, token: string): string {
  if (claims.deviceId !== undefined) return `dev:${claims.deviceId}`;
  return `tok:${token.slice(token.lastIndexOf('.') + 1)}`;
}

/** Retry-After header value: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : 3600;
}

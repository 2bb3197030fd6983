// One bucket per key (a token, a device, an address). Memory stays bounded: full buckets are
// forgotten (a fresh one is identical), swept every `sweepEvery` takes, and past `maxKeys` the
// oldest keys go first (an attacker rotating addresses gets fresh buckets, not our memory).
import { fullBucket, isFull, takeToken, type Bucket, type BucketSpec, type Take } from './token-bucket';

export interface KeyedLimiter {
  readonly spec: BucketSpec;
  take(key: string): Take;
  size(): number;
}

export interface KeyedLimiterOptions {
  maxKeys?: number;
  sweepEvery?: number;
  now?: () => number;
}

export function createKeyedLimiter(spec: BucketSpec, opts: KeyedLimiterOptions = {}): KeyedLimiter {
  const buckets = new Map<string, Bucket>();
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const sweepEvery = opts.sweepEvery ?? 1000;
  let takes = 0;

  const sweep = (t: number): void => {
    for (const [k, b] of buckets) if (isFull(b, spec, t)) buckets.delete(k);
    for (const k of buckets.keys()) {
      if (buckets.size <= maxKeys) break;
      buckets.delete(k);
    }
  };

  return {
    spec,
    take(key) {
      if (spec.burst <= 0) return { ok: true };
      const t = now();
      if (++takes % sweepEvery === 0 || buckets.size >= maxKeys) sweep(t);
      let b = buckets.get(key);
      if (b === undefined) {
        b = fullBucket(spec, t);
        buckets.set(key, b);
      }
      return takeToken(b, spec, t);
    },
    size: () => buckets.size,
  };
}

/**
 * The key of a client address: IPv4 as is, IPv6 by its /64 (one home or phone network gets a
 * whole /64, so per-address limits per /128 would be free to dodge). IPv4-mapped IPv6 is IPv4.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1] as string;
  if (!address.includes(':')) return address;
  const [head] = address.split('%');
  const parts = expandIpv6(head ?? address);
  return parts === undefined ? address : `${parts.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(a: string): string[] | undefined {
  const [left, right, extra] = a.split('::');
  if (extra !== undefined) return undefined;
  const l = left === undefined || left === '' ? [] : left.split(':');
  const r = right === undefined ? [] : right === '' ? [] : right.split(':');
  const fill = right === undefined ? 0 : 8 - l.length - r.length;
  if (fill < 0) return undefined;
  const all = [...l, ...Array.from({ length: fill }, () => '0'), ...r].map((p) => p.toLowerCase().replace(/^0+(?=.)/, ''));
  return all.length === 8 ? all : undefined;
}

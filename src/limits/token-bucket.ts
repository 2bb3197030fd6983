// Token buckets for API calls and WebSocket connects. Pure: the clock is a parameter.
// A bucket holds up to `burst` tokens and regains `perMinute` per minute; a call takes one.
// Per instance and in memory: a limit that holds per instance is enough to keep one token or one
// address from monopolising a process (the cluster-wide caps of docs/scaling.md are for the order
// service, whose capacity is shared; a screen's abuse only costs the instance it talks to).

export interface BucketSpec {
  /** Tokens regained per minute. */
  perMinute: number;
  /** Capacity; 0 switches the limit off. */
  burst: number;
}

export interface Bucket {
  tokens: number;
  atMs: number;
}

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

export function fullBucket(spec: BucketSpec, nowMs: number): Bucket {
  return { tokens: spec.burst, atMs: nowMs };
}

function refill(b: Bucket, spec: BucketSpec, nowMs: number): void {
  const elapsed = Math.max(0, nowMs - b.atMs);
  b.tokens = Math.min(spec.burst, b.tokens + (elapsed * spec.perMinute) / 60_000);
  b.atMs = Math.max(b.atMs, nowMs);
}

/** Takes one token if there is one; else says how long until there will be. Mutates `b`. */
export function takeToken(b: Bucket, spec: BucketSpec, nowMs: number): Take {
  if (spec.burst <= 0) return { ok: true };
  refill(b, spec, nowMs);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return { ok: true };
  }
  if (spec.perMinute <= 0) return { ok: false, retryAfterMs: Number.POSITIVE_INFINITY };
  return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 60_000) / spec.perMinute) };
}

/** True when the bucket has refilled completely: forgetting it changes nothing. */
export function isFull(b: Bucket, spec: BucketSpec, nowMs: number): boolean {
  refill(b, spec, nowMs);
  return b.tokens >= spec.burst;
}

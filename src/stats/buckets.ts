// Ticket and serve times as fixed histogram buckets, so a day's p50/p90 are read from a few dozen
// counters instead of every dish's time. Pure. Bucket i holds times in (UPPER[i-1], UPPER[i]];
// the last one everything above 6 h. Resolution: 15 s up to 10 min, 1 min to 30 min, 5 min to 2 h,
// 30 min to 6 h: finer than a kitchen reads a ticket time.
function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let s = from + step; s <= to; s += step) out.push(s);
  return out;
}

export const UPPER: readonly number[] = [
  ...steps(0, 600, 15), ...steps(600, 1800, 60), ...steps(1800, 7200, 300), ...steps(7200, 21_600, 1800),
];

export function bucketOf(seconds: number): number {
  let lo = 0;
  let hi = UPPER.length; // first bucket whose upper bound is >= seconds; UPPER.length = overflow
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((UPPER[mid] as number) >= seconds) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The upper bound of the bucket holding the q-quantile (nearest rank), or null without data. */
export function quantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...counts].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [b, n] of buckets) {
    seen += n;
    if (seen >= rank) return UPPER[Math.min(b, UPPER.length - 1)] as number;
  }
  return UPPER[UPPER.length - 1] as number;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
}

export function percentiles(counts: ReadonlyMap<number, number>): Percentiles {
  const p50 = quantile(counts, 0.5);
  return p50 === null ? { p50: null, p90: null } : { p50, p90: quantile(counts, 0.9) };
}

// Where a latency goes, from the service's own histograms (/metrics, src/metrics/metrics.ts): the
// bucket counts read when a phase starts and when it ends, differenced, give each stage's p50 and
// p99 over that phase alone, as "at most this bucket's bound" (the buckets are the resolution).

/** Cumulative bucket counts of one histogram, by upper bound in seconds (+Inf as Infinity). */
export type Buckets = Map<number, number>;

/** Parses every `<name>_bucket{…le="x"}` line of a Prometheus text page, summing over labels. */
export function parseBuckets(text: string, name: string): Buckets {
  const out: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** The counts between two readings of the same histogram. */
export function since(before: Buckets, after: Buckets): Buckets {
  const out: Buckets = new Map();
  for (const [bound, n] of after) out.set(bound, n - (before.get(bound) ?? 0));
  return out;
}

/** The smallest bucket bound (ms) holding quantile q (0..1); null without observations or beyond the last bound. */
export function quantileBoundMs(b: Buckets, q: number): number | null {
  const bounds = [...b.keys()].sort((x, y) => x - y);
  const total = b.get(Infinity) ?? 0;
  if (total <= 0) return null;
  for (const bound of bounds) if ((b.get(bound) ?? 0) >= q * total) return bound === Infinity ? null : Math.round(bound * 1000);
  return null;
}

export interface StageFigures {
  n: number;
  p50AtMostMs: number | null;
  p99AtMostMs: number | null;
  /** Observations above 250 ms: a few stalls hide below a p99 of many fast ones. */
  over250Ms: number;
}

export function stageFigures(b: Buckets): StageFigures {
  const n = b.get(Infinity) ?? 0;
  return { n, p50AtMostMs: quantileBoundMs(b, 0.5), p99AtMostMs: quantileBoundMs(b, 0.99), over250Ms: n - (b.get(0.25) ?? n) };
}

/** The stages of an event's way to a screen, as the service measures them. */
export const LATENCY_STAGES = {
  /** one order-service read, after the gate let it through */
  orderServiceCall: 'kds_order_service_call_seconds',
  /** one group's deciding transaction, commit included */
  writeGroup: 'kds_write_group_seconds',
  /** commit → the frame sent on the screens' sockets */
  push: 'kds_push_latency_seconds',
} as const;

/** Each latency stage over a phase, from the /metrics pages read at its start and its end. */
export function stagesOver(before: string | undefined, after: string): Record<string, StageFigures> {
  const out: Record<string, StageFigures> = {};
  for (const [stage, name] of Object.entries(LATENCY_STAGES)) {
    out[stage] = stageFigures(since(parseBuckets(before ?? '', name), parseBuckets(after, name)));
  }
  return out;
}

// Fault switches of the order-service simulator. Pure: parsing, merging and the decision of what
// one read answers live here so they can be reasoned about without a server.
import { isRecord, type Parsed } from './validate';

export type Latency = number | { min: number; max: number };
export type StaleMode = 'older' | 'empty';

export interface Switches {
  /** Delay before every answer (also before errors, resets and 404s). */
  latencyMs: Latency;
  /** Probability 0..1 of answering 500 or 503 (half each). */
  errorRate: number;
  /** Force this status on every read (e.g. 429, 503); null = off. */
  errorStatus: number | null;
  /** 404 for the first N reads of an order. */
  notFoundFirstN: number;
  /** The first N reads of an order answer stale data, see staleMode. */
  staleFirstN: number;
  /** 'older': the previous version (404 if there is none); 'empty': current version, items []. */
  staleMode: StaleMode;
  /** A read sees the newest version written at least this long ago; none yet → 404. */
  replicaLagMs: number;
  /** Destroy the socket without answering. */
  resetConnections: boolean;
  /** Never answer (until the client gives up or the simulator closes). */
  hang: boolean;
}

export const DEFAULT_SWITCHES: Readonly<Switches> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  errorStatus: null,
  notFoundFirstN: 0,
  staleFirstN: 0,
  staleMode: 'older',
  replicaLagMs: 0,
  resetConnections: false,
  hang: false,
});

/** Per-order switches override global ones field by field. */
export function resolveSwitches(global: Partial<Switches>, perOrder?: Partial<Switches>): Switches {
  return { ...DEFAULT_SWITCHES, ...global, ...perOrder };
}

export function sampleLatency(l: Latency, random: () => number): number {
  if (typeof l === 'number') return l;
  return l.min + random() * (l.max - l.min);
}

function nonNegInt(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

function nonNegNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function parseLatency(v: unknown): Latency | undefined {
  if (nonNegNumber(v)) return v;
  if (isRecord(v) && nonNegNumber(v.min) && nonNegNumber(v.max) && v.min <= v.max) {
    return { min: v.min, max: v.max };
  }
  return undefined;
}

/** Validates an admin/env payload; unknown keys are an error so typos don't silently do nothing. */
export function parseSwitches(v: unknown): Parsed<Partial<Switches>> {
  if (!isRecord(v)) return { ok: false, error: 'switches must be a JSON object' };
  const out: Partial<Switches> = {};
  for (const [key, val] of Object.entries(v)) {
    switch (key) {
      case 'latencyMs': {
        const l = parseLatency(val);
        if (l === undefined) return { ok: false, error: 'latencyMs must be a number >= 0 or {min,max} with 0 <= min <= max' };
        out.latencyMs = l;
        break;
      }
      case 'errorRate':
        if (!nonNegNumber(val) || val > 1) return { ok: false, error: 'errorRate must be a number in 0..1' };
        out.errorRate = val;
        break;
      case 'errorStatus':
        if (val !== null && !(Number.isInteger(val) && (val as number) >= 400 && (val as number) <= 599)) {
          return { ok: false, error: 'errorStatus must be an HTTP status 400..599 or null' };
        }
        out.errorStatus = val as number | null;
        break;
      case 'notFoundFirstN':
      case 'staleFirstN':
        if (!nonNegInt(val)) return { ok: false, error: `${key} must be an integer >= 0` };
        out[key] = val;
        break;
      case 'replicaLagMs':
        if (!nonNegNumber(val)) return { ok: false, error: 'replicaLagMs must be a number >= 0' };
        out.replicaLagMs = val;
        break;
      case 'staleMode':
        if (val !== 'older' && val !== 'empty') return { ok: false, error: "staleMode must be 'older' or 'empty'" };
        out.staleMode = val;
        break;
      case 'resetConnections':
      case 'hang':
        if (typeof val !== 'boolean') return { ok: false, error: `${key} must be a boolean` };
        out[key] = val;
        break;
      default:
        return { ok: false, error: `unknown switch "${key}"` };
    }
  }
  return { ok: true, value: out };
}

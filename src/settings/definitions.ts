// The live settings (pure): their znode names, sane bounds, and the one parser every source goes
// through (ZooKeeper, the MySQL last-good cache, the CLI). A value that fails here is refused and
// the last good value stays; nothing else in the service ever sees it.

/** Live-tunable limits; their defaults are DEFAULT_SETTINGS in ./build.ts. */
export interface Settings {
  /** Events in flight across all orders and partitions (keyed scheduler limit). */
  processingConcurrency: number;
  /** Order-service calls in flight (the call gate). */
  orderServiceMaxConcurrent: number;
  /** Order-service calls started in any sliding second (the call gate). */
  orderServiceMaxPerSecond: number;
  /** Retry heads claimed per round of the retry job. */
  retryBatchSize: number;
}

export type SettingName = keyof Settings;

export interface SettingDef {
  /** Znode under `<ZOOKEEPER_ROOT>/settings/`, also the name the CLI takes. */
  znode: string;
  min: number;
  /** Above this a value is taken for a typo (an extra zero), not a decision. */
  max: number;
  what: string;
}

// Bounds: the order team's incident (order-service.md: 50 concurrent calls took down two of six
// query nodes) is why 64 is the hard ceiling for concurrency; operators should stay far below it.
export const SETTING_DEFS: Readonly<Record<SettingName, SettingDef>> = Object.freeze({
  processingConcurrency: {
    znode: 'processing.concurrency',
    min: 1,
    max: 4096,
    what: 'events processed at once across all orders (per-order order is always kept)',
  },
  orderServiceMaxConcurrent: {
    znode: 'order-service.max-concurrency',
    min: 1,
    max: 64,
    what: 'order-service calls in flight at once (consumer and retry job together)',
  },
  orderServiceMaxPerSecond: {
    znode: 'order-service.max-rps',
    min: 1,
    max: 5000,
    what: 'order-service calls started in any sliding second (consumer and retry job together)',
  },
  retryBatchSize: {
    znode: 'retry.batch-size',
    min: 1,
    max: 1000,
    what: 'retry-table heads claimed per round of the retry job',
  },
});

export const SETTING_NAMES: readonly SettingName[] = Object.freeze(Object.keys(SETTING_DEFS) as SettingName[]);

export type Parsed = { ok: true; value: number } | { ok: false; reason: string };

/**
 * A znode's text as a setting value: a plain decimal integer within the bounds. Surrounding
 * whitespace (a trailing newline from `echo`) is tolerated; "1e3", "12.5", "+5", "0x10" are not.
 */
export function parseSetting(name: SettingName, raw: string | null | undefined): Parsed {
  const def = SETTING_DEFS[name];
  const text = (raw ?? '').trim();
  if (text === '') return { ok: false, reason: 'empty value' };
  if (!/^-?\d+$/.test(text)) return { ok: false, reason: `"${clip(text)}" is not a whole number` };
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `"${clip(text)}" is out of range` };
  if (value < def.min) return { ok: false, reason: `${value} is below the minimum ${def.min}` };
  if (value > def.max) return { ok: false, reason: `${value} is above the sane maximum ${def.max}` };
  return { ok: true, value };
}

/** The setting a CLI name or znode name refers to. */
export function settingByZnode(znode: string): SettingName | undefined {
  return SETTING_NAMES.find((n) => SETTING_DEFS[n].znode === znode);
}

/**
 * Parses a stored snapshot (the last-good cache): each field on its own, so one bad field does
 * not cost the others. Unknown fields are ignored.
 */
export function parseSnapshot(json: string): Partial<Settings> {
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof obj !== 'object' || obj === null) return {};
  const out: Partial<Settings> = {};
  for (const name of SETTING_NAMES) {
    const v: unknown = (obj as Record<string, unknown>)[name];
    if (typeof v !== 'number') continue;
    const parsed = parseSetting(name, String(v));
    if (parsed.ok) out[name] = parsed.value;
  }
  return out;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

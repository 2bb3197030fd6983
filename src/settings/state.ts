// The current settings and who is told when they change. No I/O: sources (ZooKeeper, the cache)
// offer raw text; a refused value is logged once per distinct bad value and the last good stays.
import type { Logger } from '../log';
import { parseSetting, SETTING_DEFS, type SettingName, type Settings } from './definitions';

export type SettingsListener = (next: Readonly<Settings>, changed: readonly SettingName[]) => void;

export type OfferResult = 'changed' | 'same' | 'refused';

export interface SettingsState {
  current(): Readonly<Settings>;
  /** Validates a raw value from `source` and applies it if good. */
  offer(name: SettingName, raw: string | null, source: string): OfferResult;
  /** Called after every change, with the names that changed; returns an unsubscribe. */
  onChange(listener: SettingsListener): () => void;
  /** Values refused since start, by setting (for metrics). */
  refusals(): Readonly<Record<SettingName, number>>;
}

export function createSettingsState(initial: Settings, log: Logger): SettingsState {
  let values: Readonly<Settings> = Object.freeze({ ...initial });
  const listeners = new Set<SettingsListener>();
  const refused = { processingConcurrency: 0, orderServiceMaxConcurrent: 0, orderServiceMaxPerSecond: 0, retryBatchSize: 0 };
  const lastBad = new Map<SettingName, string>();

  return {
    current: () => values,
    offer(name, raw, source) {
      const parsed = parseSetting(name, raw);
      if (!parsed.ok) {
        refused[name] += 1;
        // A bad znode is re-read on every reconnect; say it once per distinct value.
        if (lastBad.get(name) !== raw) {
          lastBad.set(name, raw ?? '');
          log.error('setting refused; keeping the last good value', {
            setting: SETTING_DEFS[name].znode, raw: (raw ?? '').slice(0, 100), reason: parsed.reason,
            kept: values[name], source,
          });
        }
        return 'refused';
      }
      lastBad.delete(name);
      if (values[name] === parsed.value) return 'same';
      const before = values[name];
      values = Object.freeze({ ...values, [name]: parsed.value });
      log.info('setting changed', { setting: SETTING_DEFS[name].znode, from: before, to: parsed.value, source });
      for (const l of listeners) {
        try {
          l(values, [name]);
        } catch (err) {
          log.error('settings listener failed', { err, setting: SETTING_DEFS[name].znode });
        }
      }
      return 'changed';
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refusals: () => ({ ...refused }),
  };
}

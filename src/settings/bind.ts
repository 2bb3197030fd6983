// Applies live settings to what they tune. The targets are ports (one method each), so this can
// be wired in the composition root and tested without Kafka or HTTP.
import type { Settings } from './definitions';
import type { SettingsListener } from './state';

export interface SettingsTargets {
  scheduler: { setLimit(limit: number): void };
  gate: { setLimits(limits: { maxConcurrent?: number; maxPerSecond?: number }): void };
}

export interface SettingsSource {
  current(): Readonly<Settings>;
  onChange(listener: SettingsListener): () => void;
}

/** Applies the current values now and every change from then on; returns an unsubscribe. */
export function bindSettings(source: SettingsSource, targets: SettingsTargets): () => void {
  const apply = (s: Readonly<Settings>): void => {
    targets.scheduler.setLimit(s.processingConcurrency);
    targets.gate.setLimits({ maxConcurrent: s.orderServiceMaxConcurrent, maxPerSecond: s.orderServiceMaxPerSecond });
  };
  apply(source.current());
  return source.onChange(apply);
}

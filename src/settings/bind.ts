// Applies live settings to what they tune. The targets are ports (one method each), so this can
// be wired in the composition root and tested without Kafka or HTTP.
//
// The order-service caps are totals for the environment (contract "Several instances"): with a
// `shares` source the gate gets this instance's share of them (src/cluster/shares.ts), recomputed
// when the settings or the membership change. Without one (tests of a single instance, tools)
// the gate gets the whole cap.
import { instanceLimits, type MemberView } from '../cluster/shares';
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

/** This instance's place in the cluster (src/cluster/membership.ts). */
export interface ShareSource {
  view(): MemberView | undefined;
  onChange(listener: (view: MemberView | undefined) => void): () => void;
}

/** Applies the current values now and every change from then on; returns an unsubscribe. */
export function bindSettings(source: SettingsSource, targets: SettingsTargets, shares?: ShareSource): () => void {
  const apply = (s: Readonly<Settings>): void => {
    targets.scheduler.setLimit(s.processingConcurrency);
    const caps = { maxConcurrent: s.orderServiceMaxConcurrent, maxPerSecond: s.orderServiceMaxPerSecond };
    targets.gate.setLimits(shares === undefined ? caps : instanceLimits(caps, shares.view()));
  };
  apply(source.current());
  const offSettings = source.onChange(apply);
  const offShares = shares?.onChange(() => apply(source.current()));
  return () => {
    offSettings();
    offShares?.();
  };
}

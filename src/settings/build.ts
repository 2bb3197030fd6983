// The live settings' builder: ZooKeeper znodes under <root>/settings, read on this instance's
// session (opened by the composition root, src/cluster/build.ts), with the last good values kept in
// MySQL so a restart during a ZooKeeper outage keeps them (docs/throughput.md).
import type { ZkSession } from '../cluster/zk-session';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import type { Settings } from './definitions';
import { jobStateLastGood } from './last-good';
import { startLiveSettings, type LiveSettings } from './live-settings';

/** Defaults of the live settings until ZooKeeper (or the last good snapshot) says otherwise. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  processingConcurrency: 64,
  orderServiceMaxConcurrent: 16,
  orderServiceMaxPerSecond: 200,
  retryBatchSize: 100,
});

export interface SettingsOptions {
  session: ZkSession;
  /** ZOOKEEPER_ROOT */
  root: string;
  pool: Pool;
  log: Logger;
  teardown: Teardown;
}

export async function startSettings(o: SettingsOptions): Promise<LiveSettings> {
  const settings = await startLiveSettings({
    session: o.session,
    root: o.root,
    defaults: DEFAULT_SETTINGS,
    log: o.log.child({ component: 'settings' }),
    lastGood: jobStateLastGood(o.pool),
  });
  o.teardown.add('live settings', () => settings.close());
  return settings;
}

// The live-settings fixture: a ZooKeeper session opened as the composition root opens it
// (src/cluster/build.ts openZooKeeper) and the live settings read on it, closed together.
// Options are the production ones (defaults, last good store, waits) with the test's values.
import type { ZkSession } from '../../src/cluster/zk-session';
import { openZooKeeper } from '../../src/cluster/build';
import { createTeardown } from '../../src/lifecycle/teardown';
import { silentLogger } from '../../src/log';
import { startLiveSettings, type LiveSettings, type LiveSettingsDeps } from '../../src/settings/live-settings';

export interface TestSettings extends LiveSettings {
  /** The session the settings (and, when a test builds it, the cluster) use. */
  readonly session: ZkSession;
}

export interface TestSettingsOptions extends Omit<LiveSettingsDeps, 'session'> {
  connect: string;
  sessionTimeoutMs?: number;
}

export async function startTestSettings(o: TestSettingsOptions): Promise<TestSettings> {
  const { connect, sessionTimeoutMs, ...deps } = o;
  const teardown = createTeardown(silentLogger);
  const session = openZooKeeper({ connect, log: o.log, teardown, timeoutMs: sessionTimeoutMs });
  try {
    const settings = await startLiveSettings({ ...deps, session });
    teardown.add('live settings', () => settings.close());
    return { ...settings, session, close: () => teardown.close() };
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

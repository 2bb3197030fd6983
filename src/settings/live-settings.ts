// Live settings from ZooKeeper, for the composition root: start-up never waits on ZooKeeper for
// more than a moment, values come from (in order) the defaults, the last good snapshot in MySQL,
// then the znodes; every accepted change is told to the listeners and saved as the new last good.
import type { Logger } from '../log';
import { parseSnapshot, type Settings } from './definitions';
import type { LastGoodStore } from './last-good';
import { createSettingsState, type SettingsListener, type SettingsState } from './state';
import { watchSettings } from './zk-watch';
import type { Zk, ZkSession, ZkState } from '../cluster/zk-session';

export interface LiveSettings {
  current(): Readonly<Settings>;
  /** Called after every accepted change; returns an unsubscribe. */
  onChange(listener: SettingsListener): () => void;
  /** For /readyz: the ZooKeeper session is connected. */
  isConnected(): boolean;
  refusals: SettingsState['refusals'];
  /** Stops listening to the session (its opener closes it) and waits for the last save. */
  close(): Promise<void>;
}

export interface LiveSettingsDeps {
  /** This instance's ZooKeeper session (src/cluster/build.ts), opened and closed by its owner. */
  session: ZkSession;
  /** ZOOKEEPER_ROOT; the znodes live under `<root>/settings/`. */
  root: string;
  defaults: Settings;
  log: Logger;
  lastGood?: LastGoodStore;
  /** How long start waits for the first read of the znodes; default 3 s. */
  firstSyncWaitMs?: number;
}

export async function startLiveSettings(deps: LiveSettingsDeps): Promise<LiveSettings> {
  const log = deps.log;
  let initial: Settings = { ...deps.defaults };
  if (deps.lastGood !== undefined) {
    try {
      const saved = await deps.lastGood.load();
      if (saved !== undefined) {
        initial = { ...initial, ...parseSnapshot(saved) };
        log.info('settings: starting from the last good values', { settings: initial });
      }
    } catch (err) {
      log.warn('settings: last good values unreadable; starting from defaults', { err });
    }
  }
  const state = createSettingsState(initial, log);

  let saving: Promise<void> = Promise.resolve();
  if (deps.lastGood !== undefined) {
    const store = deps.lastGood;
    state.onChange((next) => {
      const snapshot = JSON.stringify(next);
      saving = saving
        .then(() => store.save(snapshot))
        .catch((err: unknown) => log.warn('settings: could not save the last good values', { err }));
    });
  }

  const watch = watchSettings(deps.root, state, log);
  const { session } = deps;
  // A new session (the first, or after LOST) has none of our watches; a reconnection keeps them.
  const onState = (st: ZkState, zk: Zk | undefined): void => {
    if (zk !== undefined && (st === 'CONNECTED' || st === 'RECONNECTED')) watch.onConnected(zk, st === 'CONNECTED');
  };
  const unsubscribe = session.onState(onState);
  // opened before us: a session already connected is not replayed to a new listener
  const live = session.client();
  if (live !== undefined) onState('CONNECTED', live);
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([
    watch.firstSync.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deps.firstSyncWaitMs ?? 3000))),
  ]);
  clearTimeout(timer);
  if (!waited) log.warn('settings: ZooKeeper not read yet; running on the values above until it is');

  return {
    current: () => state.current(),
    onChange: (l) => state.onChange(l),
    isConnected: () => session.isConnected(),
    refusals: () => state.refusals(),
    async close() {
      unsubscribe();
      await saving;
    },
  };
}

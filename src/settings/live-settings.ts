// Live settings from ZooKeeper, for the composition root: start-up never waits on ZooKeeper for
// more than a moment, values come from (in order) the defaults, the last good snapshot in MySQL,
// then the znodes; every accepted change is told to the listeners and saved as the new last good.
import type { Logger } from '../log';
import { parseSnapshot, type Settings } from './definitions';
import type { LastGoodStore } from './last-good';
import { createSettingsState, type SettingsListener, type SettingsState } from './state';
import { watchSettings } from './zk-watch';
import { openZkSession, type ZkSession } from '../cluster/zk-session';

export interface LiveSettings {
  current(): Readonly<Settings>;
  /** Called after every accepted change; returns an unsubscribe. */
  onChange(listener: SettingsListener): () => void;
  /** For /readyz: the ZooKeeper session is connected. */
  isConnected(): boolean;
  refusals: SettingsState['refusals'];
  /** The ZooKeeper session the settings are read on, shared with the cluster recipes. */
  readonly session: ZkSession;
  close(): Promise<void>;
}

export interface LiveSettingsDeps {
  /** ZOOKEEPER_CONNECT */
  connect: string;
  /** ZOOKEEPER_ROOT; the znodes live under `<root>/settings/`. */
  root: string;
  defaults: Settings;
  log: Logger;
  lastGood?: LastGoodStore;
  /** ZooKeeper session timeout; default ZK_SESSION_TIMEOUT_MS. */
  sessionTimeoutMs?: number;
  /** How long start waits for the first read of the znodes; default 3 s. */
  firstSyncWaitMs?: number;
}

/**
 * Short on purpose: an instance that dies keeps its membership znode (and so its share of the
 * order-service cap, and a leadership) until its session expires, so its share returns and a
 * new leader is elected that many seconds after it died. Not shorter: the C client's pings run on
 * the event loop, and a loop stalled by a backlog for a couple of seconds must not cost a healthy
 * instance its session. The server grants 2 to 20 ticks (4 s to 40 s with tickTime=2000).
 */
export const ZK_SESSION_TIMEOUT_MS = 6000;

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
  const session = openZkSession({
    connect: deps.connect,
    timeoutMs: deps.sessionTimeoutMs ?? ZK_SESSION_TIMEOUT_MS,
    log,
  });
  // A new session (the first, or after LOST) has none of our watches; a reconnection keeps them.
  session.onState((st, zk) => {
    if (zk !== undefined && (st === 'CONNECTED' || st === 'RECONNECTED')) watch.onConnected(zk, st === 'CONNECTED');
  });
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([
    watch.firstSync.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deps.firstSyncWaitMs ?? 3000))),
  ]);
  clearTimeout(timer);
  if (!waited) log.warn('settings: ZooKeeper not read yet; running on the values above until it is', { connect: deps.connect });

  return {
    current: () => state.current(),
    onChange: (l) => state.onChange(l),
    isConnected: () => session.isConnected(),
    refusals: () => state.refusals(),
    session,
    async close() {
      session.close();
      await saving;
    },
  };
}

// Keeps the settings state in step with the znodes `<root>/settings/<name>` (plain text integers).
// Every read of a znode sets a data watch; when it fires the znode is read again, which sets the
// next watch (ZooKeeper watches are one-shot). On a new session the znodes are created if missing
// and every watch is set again; on a reconnect within a session the C client re-registers its
// watches itself, and we re-read anyway so a change made while we were away is never missed.
import ZooKeeper from 'zookeeper';
import type { Logger } from '../log';
import { SETTING_DEFS, SETTING_NAMES, type SettingName } from './definitions';
import type { SettingsState } from './state';
import { dataText, zkCode, type Zk } from '../cluster/zk-session';

const C = ZooKeeper.constants;

export function settingsPath(root: string, name: SettingName): string {
  return `${root}/settings/${SETTING_DEFS[name].znode}`;
}

export interface SettingsWatch {
  /** Call on CONNECTED (fresh: a new session) and RECONNECTED (fresh false). */
  onConnected(zk: Zk, fresh: boolean): void;
  /** Resolves once every setting has been read from ZooKeeper at least once. */
  readonly firstSync: Promise<void>;
}

export function watchSettings(root: string, state: SettingsState, log: Logger): SettingsWatch {
  let current: Zk | undefined;
  let prepared: Zk | undefined;
  const armed = new Set<SettingName>();
  const synced = new Set<SettingName>();
  let markSynced!: () => void;
  const firstSync = new Promise<void>((resolve) => (markSynced = resolve));

  const mkdirp = (zk: Zk): Promise<void> =>
    new Promise<void>((resolve, reject) => zk.mkdirp(`${root}/settings`, (err: Error | null) => (err ? reject(err) : resolve())));

  const createIfMissing = async (zk: Zk, name: SettingName): Promise<void> => {
    // The value running now: the default on a first start, the last good one after ZooKeeper
    // lost its data, so an operator's decision is not silently undone.
    const value = String(state.current()[name]);
    try {
      await zk.create(settingsPath(root, name), value, C.ZOO_PERSISTENT);
      log.info('setting znode created', { path: settingsPath(root, name), value });
    } catch (err) {
      if (zkCode(err) === C.ZNODEEXISTS) return;
      if (zkCode(err) !== C.ZNONODE) throw err;
      await mkdirp(zk); // the whole settings folder was removed
      return createIfMissing(zk, name);
    }
  };

  const read = async (zk: Zk, name: SettingName, watch: boolean): Promise<void> => {
    const path = settingsPath(root, name);
    let answer: unknown[];
    try {
      answer = watch
        ? ((await zk.w_get(path, (type: number) => onWatch(zk, name, type))) as unknown[])
        : ((await zk.get(path, false)) as unknown[]);
    } catch (err) {
      if (zkCode(err) === C.ZNONODE && zk === current) {
        // deleted (or never created): put the running value back, then read and watch it
        await createIfMissing(zk, name);
        return read(zk, name, watch);
      }
      throw err;
    }
    if (zk !== current) return;
    if (watch) armed.add(name);
    state.offer(name, dataText(answer), `zookeeper ${path}`);
    synced.add(name);
    if (synced.size === SETTING_NAMES.length) markSynced();
  };

  const readLogged = (zk: Zk, name: SettingName, watch: boolean): void => {
    read(zk, name, watch).catch((err: unknown) => {
      // Connection lost mid-read: the next 'connect' reads it again (armed stays false).
      if (zk === current) log.warn('setting read failed; will retry on reconnect', { setting: SETTING_DEFS[name].znode, err });
    });
  };

  function onWatch(zk: Zk, name: SettingName, type: number): void {
    // Session events reach every watcher; they are not about the znode (onConnected handles them).
    if (type === C.ZOO_SESSION_EVENT || zk !== current) return;
    armed.delete(name);
    if (type === C.ZOO_DELETED_EVENT) {
      log.warn('setting znode deleted; re-creating it with the running value', { path: settingsPath(root, name) });
    }
    readLogged(zk, name, true);
  }

  return {
    firstSync,
    onConnected(zk, fresh) {
      current = zk;
      if (fresh) armed.clear();
      const all = async (): Promise<void> => {
        if (prepared !== zk) {
          await mkdirp(zk);
          for (const name of SETTING_NAMES) await createIfMissing(zk, name);
          prepared = zk;
        }
        for (const name of SETTING_NAMES) readLogged(zk, name, !armed.has(name));
      };
      all().catch((err: unknown) => log.warn('setting znodes could not be prepared; will retry on reconnect', { err }));
    },
  };
}

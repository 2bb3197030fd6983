// The few ZooKeeper operations the cluster recipes share, as promises over the native client.
import ZooKeeper from 'zookeeper';
import { zkCode, type Zk } from './zk-session';

const C = ZooKeeper.constants;

export function mkdirp(zk: Zk, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => zk.mkdirp(path, (err: Error | null) => (err ? reject(err) : resolve())));
}

/** Creates `<dir>/<prefix><seq>` owned by this session (the folder too, if missing); its path. */
export async function createEphemeralSequential(zk: Zk, dir: string, prefix: string, data: string): Promise<string> {
  try {
    return (await zk.create(`${dir}/${prefix}`, data, C.ZOO_EPHEMERAL_SEQUENTIAL));
  } catch (err) {
    if (zkCode(err) !== C.ZNONODE) throw err;
    await mkdirp(zk, dir);
    return (await zk.create(`${dir}/${prefix}`, data, C.ZOO_EPHEMERAL_SEQUENTIAL));
  }
}

/** Deletes path if it is there (a node of an earlier session that has not expired yet). */
export async function deleteIfThere(zk: Zk, path: string): Promise<void> {
  try {
    await zk.delete_(path, -1);
  } catch (err) {
    if (zkCode(err) !== C.ZNONODE) throw err;
  }
}

/** The sequence number ZooKeeper appended to a sequential node's name (10 digits). */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  return m === null ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/** Child names oldest first (by sequence number, then name). */
export function bySequence(children: readonly string[]): string[] {
  return [...children].sort((a, b) => sequenceOf(a) - sequenceOf(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export const ZK_SESSION_EVENT = C.ZOO_SESSION_EVENT;

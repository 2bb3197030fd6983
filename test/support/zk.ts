// Promise helpers around the `zookeeper` package (native C client) for integration tests.
import ZooKeeper from 'zookeeper';
import { SETTING_DEFS, SETTING_NAMES, type Settings } from '../../src/settings/definitions';
import { ZK_CONNECT } from './infra';

export type Zk = ZooKeeper;

/** Resolves with a client once its session is connected; rejects after timeoutMs. */
export function connectZk(connect: string = ZK_CONNECT, timeoutMs = 10_000): Promise<Zk> {
  const client = new ZooKeeper({
    connect,
    timeout: timeoutMs,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
    host_order_deterministic: false,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`ZooKeeper at ${connect} did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.init({});
  });
}

/** Creates path and its missing parents as persistent znodes. */
export function mkdirp(client: Zk, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.mkdirp(path, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Deletes path and everything below it; a missing node is fine. */
export async function removeTree(client: Zk, path: string): Promise<void> {
  if (!(await client.pathExists(path, false))) return;
  for (const child of await client.get_children(path, false)) await removeTree(client, `${path}/${child}`);
  await client.delete_(path, -1).catch(() => undefined);
}

/** Data as a UTF-8 string. */
export async function getString(client: Zk, path: string): Promise<string> {
  const [, data] = (await client.get(path, false)) as [unknown, string | Buffer | null];
  return data === null ? '' : data.toString();
}

/**
 * Sets a one-shot data watch on path and resolves with the node's value after the next change.
 * The returned `armed` promise settles once the watch is registered, so a test can write after it.
 */
export function nextDataChange(client: Zk, path: string): { armed: Promise<void>; changed: Promise<string> } {
  let armed!: Promise<void>;
  const changed = new Promise<string>((resolve, reject) => {
    armed = client
      .w_get(path, (type: number) => {
        if (type === ZooKeeper.constants.ZOO_CHANGED_EVENT) getString(client, path).then(resolve, reject);
        else reject(new Error(`unexpected watch event type ${type} on ${path}`));
      })
      .then(() => undefined);
    armed.catch(reject);
  });
  return { armed, changed };
}

/** Writes the live-settings znodes under `root` (as an operator would with `npm run settings -- set`). */
export async function writeSettings(root: string, values: Partial<Settings>): Promise<void> {
  const zk = await connectZk(ZK_CONNECT);
  try {
    await mkdirp(zk, `${root}/settings`);
    for (const name of SETTING_NAMES) {
      const v = values[name];
      if (v === undefined) continue;
      const path = `${root}/settings/${SETTING_DEFS[name].znode}`;
      if (await zk.pathExists(path, false)) await zk.set(path, String(v), -1);
      else await zk.create(path, String(v), ZooKeeper.constants.ZOO_PERSISTENT);
    }
  } finally {
    zk.close();
  }
}

// `npm run settings -- list | get <name> | set <name> <value>`: reads and writes the live-settings
// znodes under ZOOKEEPER_ROOT (default /kds/<KDS_ENV>) on ZOOKEEPER_CONNECT (default
// 127.0.0.1:2181). `set` refuses what the service would refuse, so a typo never reaches ZooKeeper.
// Like the other CLIs it reads only the few variables it needs from the environment.
import ZooKeeper from 'zookeeper';
import { parseSetting, SETTING_DEFS, SETTING_NAMES, settingByZnode, type SettingName } from './definitions';
import { dataText, zkCode, type Zk } from '../cluster/zk-session';
import { settingsPath } from './zk-watch';

const USAGE = `usage: npm run settings -- list | get <name> | set <name> <value>
names: ${SETTING_NAMES.map((n) => SETTING_DEFS[n].znode).join(', ')}
env: ZOOKEEPER_CONNECT (127.0.0.1:2181), ZOOKEEPER_ROOT (/kds/<KDS_ENV>) or KDS_ENV`;

function fail(message: string): never {
  process.stderr.write(`settings: ${message}\n${USAGE}\n`);
  process.exit(1);
}

function target(): { connect: string; root: string } {
  const connect = process.env.ZOOKEEPER_CONNECT?.trim() || '127.0.0.1:2181';
  const env = process.env.KDS_ENV?.trim();
  const root = (process.env.ZOOKEEPER_ROOT?.trim() || (env ? `/kds/${env}` : '')).replace(/\/+$/, '');
  if (root === '') fail('set ZOOKEEPER_ROOT or KDS_ENV');
  return { connect, root };
}

function connectZk(connect: string, timeoutMs = 5000): Promise<Zk> {
  const zk = new ZooKeeper({ connect, timeout: 10_000, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false });
  zk.setLogger(false);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      zk.close();
      reject(new Error(`ZooKeeper at ${connect} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    zk.once('connect', () => {
      clearTimeout(timer);
      resolve(zk);
    });
    zk.init({});
  });
}

async function show(zk: Zk, root: string, name: SettingName): Promise<string> {
  const path = settingsPath(root, name);
  try {
    const raw = dataText((await zk.get(path, false)) as unknown[]);
    const parsed = parseSetting(name, raw);
    return `${SETTING_DEFS[name].znode}=${raw ?? ''}${parsed.ok ? '' : `   (REFUSED by the service: ${parsed.reason})`}`;
  } catch (err) {
    if (zkCode(err) === ZooKeeper.constants.ZNONODE) return `${SETTING_DEFS[name].znode} (missing: the service creates it)`;
    throw err;
  }
}

async function write(zk: Zk, root: string, name: SettingName, value: string): Promise<void> {
  const path = settingsPath(root, name);
  try {
    await zk.set(path, value, -1);
  } catch (err) {
    if (zkCode(err) !== ZooKeeper.constants.ZNONODE) throw err;
    await new Promise<void>((resolve, reject) => zk.mkdirp(`${root}/settings`, (e: Error | null) => (e ? reject(e) : resolve())));
    await zk.create(path, value, ZooKeeper.constants.ZOO_PERSISTENT);
  }
}

async function main(args: readonly string[]): Promise<void> {
  const [cmd, nameArg, valueArg] = args;
  const name = nameArg === undefined ? undefined : settingByZnode(nameArg);
  if (nameArg !== undefined && name === undefined) fail(`unknown setting "${nameArg}"`);
  if (cmd === 'set') {
    if (name === undefined || valueArg === undefined) fail('set needs <name> <value>');
    const parsed = parseSetting(name, valueArg);
    if (!parsed.ok) fail(`${nameArg} ${parsed.reason} (allowed ${SETTING_DEFS[name].min}..${SETTING_DEFS[name].max})`);
  } else if (cmd === 'get') {
    if (name === undefined) fail('get needs <name>');
  } else if (cmd !== 'list') {
    fail(cmd === undefined ? 'no command' : `unknown command "${cmd}"`);
  }
  const { connect, root } = target();
  const zk = await connectZk(connect);
  try {
    if (cmd === 'set' && name !== undefined && valueArg !== undefined) {
      await write(zk, root, name, String(Number(valueArg.trim())));
      process.stdout.write(`${await show(zk, root, name)}\n`);
    } else {
      for (const n of name === undefined ? SETTING_NAMES : [name]) process.stdout.write(`${await show(zk, root, n)}\n`);
    }
  } finally {
    zk.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`settings: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

// Where the local stack lives and which ports it uses. Scripts may read process.env directly
// (src/config.ts is the only reader inside the service itself).
import { realpathSync } from 'node:fs';
import path from 'node:path';

export const KAFKA_VERSION = '3.9.1';
export const ZOOKEEPER_VERSION = '3.8.4';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface InfraSettings {
  /** Cache root outside git: jars in libs/, one folder per component instance. */
  dir: string;
  libsDir: string;
  host: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  zookeeperPort: number;
  mysqlUrl: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/**
 * The path with every symlink in its existing part resolved. The servers are started with these
 * paths in their configuration and outlive the command that started them: a copy of the work tree
 * whose `.cache` is a symlink (scripts/node22-check.sh) is deleted while its Kafka and ZooKeeper
 * go on serving the rest of the run, and a data directory named through the deleted symlink is
 * gone for them (Kafka takes its log directory offline and stops at its next checkpoint).
 */
function withoutSymlinks(p: string): string {
  const rest: string[] = [];
  let head = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(head), ...rest);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(p);
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

export function infraSettings(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const dir = withoutSymlinks(env.KDS_INFRA_DIR?.trim() || path.join(REPO_ROOT, '.cache', 'infra'));
  return {
    dir,
    libsDir: path.join(dir, 'libs'),
    host: '127.0.0.1',
    kafkaPort: port(env, 'KAFKA_PORT', 9092),
    kafkaControllerPort: port(env, 'KAFKA_CONTROLLER_PORT', 9093),
    zookeeperPort: port(env, 'ZOOKEEPER_PORT', 2181),
    mysqlUrl: env.MYSQL_URL?.trim() || 'mysql://root@127.0.0.1:3306/kds',
  };
}

/** Folder of one component instance; the port is in the name so stacks on other ports coexist. */
export function instanceDir(s: InfraSettings, component: 'kafka' | 'zookeeper'): string {
  const p = component === 'kafka' ? s.kafkaPort : s.zookeeperPort;
  return path.join(s.dir, `${component}-${p}`);
}

// A ZooKeeper server of a test's own, on a free port with its own data directory (scripts/infra's
// launcher), for tests that stop, kill or wipe it. Never the shared one on 2181.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureJars } from '../../scripts/infra/fetch';
import { livePid } from '../../scripts/infra/proc';
import { instanceDir, infraSettings, type InfraSettings } from '../../scripts/infra/settings';
import { zookeeper as zkServer } from '../../scripts/infra/zookeeper';
import { freePort } from './ports';

export interface OwnZk {
  connect: string;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** SIGKILL; the data directory is kept. */
  kill(): Promise<void>;
  /** Removes the data directory (snapshots, transaction log): a server that never knew us. */
  wipe(): void;
  /** Stops it and removes everything it wrote. */
  dispose(): Promise<void>;
}

export async function ownZooKeeper(): Promise<OwnZk> {
  const s: InfraSettings = { ...infraSettings(), zookeeperPort: await freePort() };
  // `infra:up` reuses servers already answering and then fetches nothing: make sure the jars are
  // there (a no-op once fetched)
  await ensureJars(s, () => undefined);
  const dir = instanceDir(s, 'zookeeper');
  const pidFile = path.join(dir, 'zookeeper.pid');
  return {
    connect: `127.0.0.1:${s.zookeeperPort}`,
    start: () => zkServer.start(s, () => undefined),
    async stop() {
      await zkServer.stop(s);
    },
    async kill() {
      const pid = livePid(pidFile);
      if (pid === undefined) throw new Error('own ZooKeeper is not running');
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && livePid(pidFile) !== undefined; i++) await new Promise((r) => setTimeout(r, 50));
    },
    wipe: () => rmSync(path.join(dir, 'data'), { recursive: true, force: true }),
    async dispose() {
      await zkServer.stop(s).catch(() => undefined);
      if (process.env.KEEP_OWN_ZK === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Servers of a test's own, for tests that kill, restart or replace them: a Kafka broker (the
// scripts/infra launcher on free ports, its own data directory) and a second MariaDB (its own data
// directory, port and socket). Never the shared servers on 9092/2181/3306, which other test files
// use at the same time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { ensureJars } from '../../scripts/infra/fetch';
import { kafka as kafkaServer } from '../../scripts/infra/kafka';
import { livePid, portOpen, run } from '../../scripts/infra/proc';
import { infraSettings, instanceDir, type InfraSettings } from '../../scripts/infra/settings';
import { freePort } from './ports';
import { waitFor } from './wait';

export interface OwnServer {
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no flush; the data directory is kept. */
  kill(): Promise<void>;
  /** Stops it and removes everything it wrote. */
  dispose(): Promise<void>;
}

export interface OwnKafka extends OwnServer {
  brokers: string;
}

export async function ownKafka(): Promise<OwnKafka> {
  const s: InfraSettings = { ...infraSettings(), kafkaPort: await freePort(), kafkaControllerPort: await freePort() };
  await ensureJars(s, () => undefined);
  const dir = instanceDir(s, 'kafka');
  const pidFile = path.join(dir, 'kafka.pid');
  return {
    brokers: `127.0.0.1:${s.kafkaPort}`,
    start: () => kafkaServer.start(s, () => undefined),
    async kill() {
      const pid = livePid(pidFile);
      if (pid === undefined) throw new Error('own Kafka is not running');
      process.kill(pid, 'SIGKILL');
      await waitFor('own Kafka gone', async () => livePid(pidFile) === undefined
        && !(await portOpen('127.0.0.1', s.kafkaPort)) && !(await portOpen('127.0.0.1', s.kafkaControllerPort)), 20_000, 100);
    },
    async dispose() {
      await kafkaServer.stop(s).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnMariaDb extends OwnServer {
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** Graceful restart (SIGTERM, wait, start): what a package upgrade or a failover does. */
  restart(): Promise<void>;
}

const MARIADBD = '/usr/sbin/mariadbd';

/**
 * A second MariaDB from Debian's own binaries: `mariadb-install-db` into a temp directory, then
 * `mariadbd` on a free port. Grant tables are skipped (root without a password from anywhere, like
 * the shared test server); the data directory survives kill and restart.
 */
export async function ownMariaDb(): Promise<OwnMariaDb> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kds-own-mariadb-'));
  const datadir = path.join(dir, 'data');
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal']);
  let child: ChildProcess | undefined;
  const answers = async (): Promise<boolean> => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 }).catch(() => undefined);
    if (conn === undefined) return false;
    await conn.end().catch(() => undefined);
    return true;
  };
  const start = async (): Promise<void> => {
    child = spawn(MARIADBD, [
      '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1',
      `--socket=${path.join(dir, 'mysqld.sock')}`, `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      '--user=root', '--skip-grant-tables', '--innodb-buffer-pool-size=64M', '--skip-log-bin',
      `--log-error=${path.join(dir, 'error.log')}`,
    ], { stdio: 'ignore' });
    await waitFor('own MariaDB answering', answers, 60_000, 100);
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
    child = undefined;
  };
  return {
    url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    start,
    kill: () => stop('SIGKILL'),
    async restart() {
      await stop('SIGTERM');
      await start();
    },
    async dispose() {
      await stop('SIGTERM').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

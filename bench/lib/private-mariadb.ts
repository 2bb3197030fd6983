// A MariaDB server of the benchmark's own (same binary and InnoDB settings as the shared one), so
// that (1) the CPU read from /proc/<pid> of `mariadbd` is this run's and no other process's, and
// (2) the server can be restarted (the history scenario measures the minutes after a restart)
// without touching the shared server at 127.0.0.1:3306 that other work uses.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/support/ports';
import { REPO } from '../../test/support/processes';

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

export interface PrivateMariadb {
  /** mysql://root@127.0.0.1:<port>/ */
  url: string;
  pid(): number;
  /** Clean shutdown and start again on the same data (the buffer pool dump is written and loaded as configured). */
  restart(extraArgs?: string[]): Promise<void>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) => (err ? reject(new Error(`${cmd}: ${err.message}\n${stderr}`)) : resolve()));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A kept data directory's server left running by a benchmark that died (a crash skips its stop):
 * it still holds the directory's locks, and a new server on it would exit at once. Stopped here.
 */
async function stopLeftover(pidFile: string, datadir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const alive = (): boolean => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(datadir);
    } catch {
      return false;
    }
  };
  if (!Number.isInteger(pid) || pid <= 0 || !alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 120_000;
  while (alive()) {
    if (Date.now() > deadline) throw new Error(`a mariadbd left on ${datadir} (pid ${pid}) did not stop within 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts a server on a data directory under .cache/bench/, created and initialised when missing.
 * `keep`: the directory is named after `name` alone and kept afterwards, so a filled history can be
 * measured again without filling it anew (one run at a time uses it); otherwise it is this
 * process's own and removed at stop. Settings are the shared server's (MariaDB 10.11 defaults: a
 * 128 MB buffer pool, dumped at shutdown and loaded at start-up, flush at every commit, no binary
 * log) unless `extraArgs` says otherwise.
 */
export async function startPrivateMariadb(name: string, extraArgs: string[] = [], keep = false): Promise<PrivateMariadb> {
  const dir = path.join(REPO, '.cache', 'bench', keep ? `mariadb-${name}` : `mariadb-${name}-${process.pid}`);
  const datadir = path.join(dir, 'data');
  if (!existsSync(path.join(datadir, 'mysql'))) {
    mkdirSync(datadir, { recursive: true });
    await run(INSTALL_DB, ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db']);
  }
  await stopLeftover(path.join(dir, 'pid'), datadir);
  const port = await freePort();
  const url = `mysql://root@127.0.0.1:${port}/`;
  let child: ChildProcess | undefined;
  const start = async (more: string[]): Promise<void> => {
    child = spawn(MARIADBD, [
      '--no-defaults', `--datadir=${datadir}`, `--socket=${path.join(dir, 'sock')}`, `--pid-file=${path.join(dir, 'pid')}`,
      `--log-error=${path.join(dir, 'error.log')}`, '--user=root', '--bind-address=127.0.0.1', `--port=${port}`,
      '--skip-name-resolve', '--skip-grant-tables', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      '--max-connections=500', ...extraArgs, ...more,
    ], { stdio: 'ignore' });
    const deadline = Date.now() + 120_000;
    while (!(await answers(url))) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited (${child.exitCode}); see ${path.join(dir, 'error.log')}`);
      if (Date.now() > deadline) throw new Error('mariadbd did not answer within 120 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
  };
  await start([]);
  return {
    url,
    pid: () => child?.pid as number,
    async restart(more = []) {
      await stop();
      await start(more);
    },
    async stop() {
      await stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

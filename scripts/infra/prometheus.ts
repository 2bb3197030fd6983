// A throwaway Prometheus server for tests that prove the shipped alert rules: Debian's `prometheus`
// package (`apt-get install prometheus`; .ci/run installs it), started on a free port with a temp
// data dir and the config it is given, stopped and removed afterwards. Unlike Kafka and ZooKeeper it
// is never shared: each test brings its own config (its targets are that test's instances).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InfraError, isAlive, run, stopPid, waitReady } from './proc';

export interface PrometheusServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Where the config, the rule files, the data and prometheus.log are. */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Files written into the server's folder before it starts: prometheus.yml and its rule files. */
  files: Record<string, string>;
  /** The config among them (default prometheus.yml); relative rule_files resolve beside it. */
  configFile?: string;
  host?: string;
  binary?: string;
}

const INSTALL_HINT = "Debian's prometheus package is needed: apt-get install prometheus";

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function answersReady(url: string): Promise<boolean> {
  const res = await fetch(`${url}/-/ready`).catch(() => undefined);
  if (res === undefined) return false;
  await res.arrayBuffer();
  return res.ok;
}

/** `promtool check config|rules FILE`; rejects with promtool's output when it finds a problem. */
export async function promtoolCheck(kind: 'config' | 'rules', file: string, opts: { syntaxOnly?: boolean } = {}): Promise<string> {
  try {
    return await run('promtool', ['check', kind, ...(opts.syntaxOnly === true ? ['--syntax-only'] : []), file]);
  } catch (err) {
    if (err instanceof InfraError && /ENOENT/.test(err.message)) throw new InfraError(`promtool not found. ${INSTALL_HINT}`);
    throw err;
  }
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const host = opts.host ?? '127.0.0.1';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kds-prometheus-'));
  for (const [name, text] of Object.entries(opts.files)) writeFileSync(path.join(dir, name), text);
  const port = await freePort(host);
  const url = `http://${host}:${port}`;
  const logFile = path.join(dir, 'prometheus.log');
  const fd = openSync(logFile, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(
      opts.binary ?? 'prometheus',
      [
        `--config.file=${path.join(dir, opts.configFile ?? 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=${host}:${port}`,
        '--log.level=warn',
      ],
      // its own process group, so stop() ends it and nothing else
      { cwd: dir, detached: true, stdio: ['ignore', fd, fd] },
    );
    const spawned = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', (err) => reject(new InfraError(`could not start prometheus: ${err.message}. ${INSTALL_HINT}`)));
    });
    pid = await spawned;
    child.unref();
  } finally {
    closeSync(fd);
  }
  const started = pid;
  const stop = async (): Promise<void> => {
    if (isAlive(started)) await stopPid(started, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady('Prometheus', () => answersReady(url), { pid: started, log: { file: logFile, mark: 0 }, timeoutMs: 60_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dir, stop };
}

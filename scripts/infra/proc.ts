// Process and socket helpers shared by the components: detached JVMs with pid files, port probes,
// waiting for readiness while watching the process, and log tails for failure reports.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export class InfraError extends Error {
  override readonly name = 'InfraError';
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Sends a line and collects everything the server writes until it closes (ZooKeeper 4lw). */
export function tcpAsk(host: string, port: number, text: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let out = '';
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    });
    sock.once('connect', () => sock.write(text));
    sock.on('data', (d: Buffer) => (out += d.toString('utf8')));
    sock.once('error', reject);
    sock.once('close', () => resolve(out));
  });
}

/** True while pid runs. A zombie (exited child of this very process, not yet reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

function isJava(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('java');
  } catch {
    return true; // no procfs: trust the pid
  }
}

/** The pid recorded in pidFile if that JVM still runs; a stale file (or a reused pid) is removed. */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isJava(pid)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

/** Starts a command in its own process group, output appended to logFile, and records its pid. */
export function spawnDetached(cmd: string, args: string[], logFile: string, pidFile: string, cwd: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new InfraError(`could not start ${cmd}`);
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Runs a command to completion; resolves with its output, rejects with it on a non-zero exit. */
export function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.once('error', (err) => reject(new InfraError(`${cmd}: ${err.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new InfraError(`${cmd} ${args.join(' ')} exited with ${code}\n${lastLines(out, 30)}`));
    });
  });
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** Where a log file ends now, so a failure report shows only what this start wrote. */
export function logMark(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function readFrom(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file).subarray(offset).toString('utf8');
}

export interface LogRef {
  file: string;
  /** logMark() taken before the start; 0 for the whole file */
  mark: number;
  /** the JVM's stdout/stderr, which holds what happens before log4j is set up */
  stdout?: { file: string; mark: number } | undefined;
}

/**
 * The first ERROR lines of this start (a dying broker logs 100 lines of orderly shutdown after
 * the cause) and the last 30 lines of its log.
 */
export function failureReport(log: LogRef): string {
  const text = readFrom(log.file, log.mark);
  const errors = text.split('\n').filter((l) => /\b(ERROR|FATAL)\b|Exception:/.test(l)).slice(0, 5);
  const out = [];
  if (errors.length > 0) out.push(`first errors:\n${errors.join('\n')}`);
  out.push(`last lines of ${log.file}:\n${text.trim() ? lastLines(text, 30) : '(empty)'}`);
  const stdout = log.stdout ? readFrom(log.stdout.file, log.stdout.mark) : '';
  if (log.stdout && stdout.trim()) out.push(`last lines of ${log.stdout.file}:\n${lastLines(stdout, 30)}`);
  return out.join('\n');
}

/**
 * Polls ready() until it returns true. Fails early when the process we started has exited, and
 * after timeoutMs (stopping that process, so a later start does not find a half-started one);
 * both failures carry the log report so the cause is on screen.
 */
export async function waitReady(
  what: string,
  ready: () => Promise<boolean>,
  opts: { pid?: number; log: LogRef; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new InfraError(`${what} exited during start-up\n${failureReport(opts.log)}`);
    }
    if (Date.now() > deadline) {
      if (opts.pid !== undefined) await stopPid(opts.pid, 10_000);
      throw new InfraError(`${what} not ready after ${opts.timeoutMs / 1000} s (stopped it)\n${failureReport(opts.log)}`);
    }
    await sleep(300);
  }
}

/** SIGTERM to the process group, then SIGKILL after graceMs; resolves when it is gone. */
export async function stopPid(pid: number, graceMs = 30_000): Promise<'stopped' | 'killed'> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      while (isAlive(pid)) await sleep(100);
      return 'killed';
    }
    await sleep(200);
  }
  return 'stopped';
}

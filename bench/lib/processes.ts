// Child processes for measurements that must not share an event loop or a heap with the thing
// measured: the order-service simulator (so its arrival clock is not stalled by our own work) and
// the KDS service (so its RSS is its own, not the load generator's 100,000 order bodies).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSimulatorAdminClient, type SimulatorAdminClient } from '../../simulator/admin-client';

export const REPO = path.resolve(__dirname, '..', '..');

export interface Child {
  readonly process: ChildProcess;
  /** Lines the child printed so far (stdout and stderr). */
  readonly out: string[];
  /** Throws with the stderr tail if the process has exited. */
  assertAlive(): void;
  /** Resolves with the first line (stdout or stderr) matching re. */
  waitLine(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Runs a .ts file through tsx, or a built .js file as is. */
export function spawnTs(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, path.resolve(REPO, script)], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const lines = (onText: (t: string) => void): ((d: Buffer) => void) => {
    let buf = '';
    return (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onText(line);
        // keep the tail only: a long run logs a lot
        if (out.length > 5000) out.splice(0, 1000);
        out.push(line);
        for (const l of listeners) l(line);
      }
    };
  };
  child.stdout?.on('data', lines(() => undefined));
  child.stderr?.on(
    'data',
    lines((t) => {
      err.push(t);
      if (err.length > 200) err.shift();
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    out,
    assertAlive() {
      if (child.exitCode === null && child.signalCode === null) return;
      throw new Error(`${script} exited (${child.exitCode ?? child.signalCode}); last lines:\n${err.slice(-30).join('\n')}`);
    },
    waitLine(re, timeoutMs = 30_000) {
      const hit = out.map((l) => re.exec(l)).find((m) => m !== null);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(on);
          reject(new Error(`${script}: no line matching ${re} within ${timeoutMs} ms; stderr:\n${err.join('\n').slice(-2000)}`));
        }, timeoutMs);
        const on = (line: string): void => {
          const m = re.exec(line);
          if (m === null) return;
          clearTimeout(timer);
          listeners.delete(on);
          resolve(m);
        };
        listeners.add(on);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${code}) before printing ${re}; stderr:\n${err.join('\n').slice(-2000)}`));
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface SimulatorProcess {
  url: string;
  admin: SimulatorAdminClient;
  stop(): Promise<void>;
}

/** The order-service simulator (simulator/order-service-cli.ts) in its own process. */
export async function spawnSimulator(): Promise<SimulatorProcess> {
  const child = spawnTs('simulator/order-service-cli.ts', { SIMULATOR_PORT: '0' });
  const m = await child.waitLine(/listening on (http:\/\/\S+)/);
  const url = m[1] as string;
  return { url, admin: createSimulatorAdminClient(url), stop: () => child.stop() };
}

/** Peak and current resident set size of a process, from /proc (VmHWM is the kernel's high-water mark). */
export function memoryOf(pid: number): { peakRssMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The pid of a running process by its command name (e.g. mariadbd), if any. */
export function pidByName(comm: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const f = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const cores = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  return { busy: (total - idle) / 100, total: total / 100, cores };
}

/** CPU used by some processes and the machine between start() and the returned stop(). */
export function cpuMeter(pids: Record<string, number | undefined>): () => Record<string, number> {
  const read = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) if (pid !== undefined) out[name] = cpuSecondsOf(pid);
    const m = machineCpu();
    out.machineBusy = m.busy;
    out.machineTotal = m.total;
    return out;
  };
  const before = read();
  const t0 = performance.now();
  return () => {
    const after = read();
    const wall = (performance.now() - t0) / 1000;
    const out: Record<string, number> = { wallSeconds: round2(wall) };
    for (const k of Object.keys(after)) {
      if (k === 'machineBusy' || k === 'machineTotal') continue;
      out[`${k}CpuSeconds`] = round2((after[k] ?? 0) - (before[k] ?? 0));
    }
    const busy = (after.machineBusy ?? 0) - (before.machineBusy ?? 0);
    const total = (after.machineTotal ?? 0) - (before.machineTotal ?? 0);
    out.machineBusyPct = total > 0 ? round2((100 * busy) / total) : 0;
    return out;
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

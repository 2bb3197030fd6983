// Child processes for tests and benchmarks that must not share an event loop or a heap with the
// thing measured: the order-service simulator (so its arrival clock is not stalled by our own
// work) and, in the benchmarks, the KDS service (so its RSS is its own).
import { spawn, type ChildProcess } from 'node:child_process';
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

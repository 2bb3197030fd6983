// What a measurement reads of a process or the machine, from /proc. Starting child processes
// (the simulator, the service) is test/support/processes.ts, shared with the integration tests.
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * The pid of the MariaDB server a pool talks to, from its own `@@pid_file`; by name only when that
 * cannot be read. By name alone, a machine where other sessions run benchmarks' private servers
 * (bench/lib/private-mariadb.ts) gives any of them: a ceiling run of 2026-12-02 measured one that
 * exited mid-run and failed.
 */
export async function mariadbPidOf(db: { query(sql: string): Promise<unknown> }): Promise<number | undefined> {
  try {
    const [rows] = (await db.query('SELECT @@pid_file AS f')) as [Array<{ f: string }>];
    const file = rows[0]?.f;
    if (file !== undefined) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
  } catch {
    /* not readable from here: fall back */
  }
  return pidByName('mariadbd');
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

// `npx tsx bench/profile-top.ts <file.cpuprofile> [--top N]`: where a V8 CPU profile's time went
// (a KDS run with `npm run bench -- cost --profile`). Prints the share of samples per function
// (self time), per area (self time: a node_modules package, a src/ folder, node internals, GC,
// idle) and per src/ folder including callees (inclusive: "the apply step and everything it
// calls"), so a lever can be aimed before it is pulled. `--tasks` adds the event loop's view: the
// stretches between idle samples (a long one delays every timer and answer behind it), and how
// much busy time fell between samples taken late (the thread was waiting for a core).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to: a package, a folder of src/ (from the built dist/ or src/), or a V8 pseudo-frame. */
export function areaOf(f: CallFrame): string {
  if (f.url === '') return f.functionName === '' ? '(anonymous)' : f.functionName; // (garbage collector), (idle), (program)
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  if (pkg) return pkg[1] as string;
  if (f.url.startsWith('node:')) return 'node:' + (f.url.slice(5).split('/')[0] ?? '');
  const own = /\/(?:dist|src)\/([^/]+)\//.exec(f.url);
  if (own) return `src/${own[1] as string}`;
  return f.url.replace(/^.*\//, '');
}

function main(): void {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { top: { type: 'string' }, callers: { type: 'string' }, tasks: { type: 'boolean' } }, allowPositionals: true });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: tsx bench/profile-top.ts <file.cpuprofile> [--top N]');
  const top = Number(values.top ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfFn = new Map<string, number>();
  // --callers NAME: who the time of a function (e.g. writeBuffer, a socket write) is spent for
  const callersOf = values.callers;
  const callers = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (n === undefined) return;
    total += dt;
    if (n.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    const f = n.callFrame;
    const fn = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${f.lineNumber + 1}`;
    selfFn.set(fn, (selfFn.get(fn) ?? 0) + dt);
    selfArea.set(areaOf(f), (selfArea.get(areaOf(f)) ?? 0) + dt);
    if (callersOf !== undefined && f.functionName === callersOf) {
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur)) {
        const cf = (byId.get(cur) as ProfileNode).callFrame;
        const a = areaOf(cf);
        if (!a.startsWith('src/') && process.env.CALLERS_ALL !== '1') continue;
        chain.push(`${a}:${cf.functionName || '(anon)'}`);
      }
      const key = chain.join(' < ');
      callers.set(key, (callers.get(key) ?? 0) + dt);
    }
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const a = areaOf((byId.get(cur) as ProfileNode).callFrame);
      if (a.startsWith('src/') && !seen.has(a)) {
        seen.add(a);
        inclArea.set(a, (inclArea.get(a) ?? 0) + dt);
      }
    }
  });
  const busy = total - idle;
  const print = (title: string, m: Map<string, number>): void => printShares(`\n${title}`, m, busy, top);
  process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (shares below are of that)\n`);
  print('self time by function', selfFn);
  print('self time by area', selfArea);
  print('inclusive time by src/ folder', inclArea);
  if (callersOf !== undefined) print(`callers of ${callersOf}`, callers);
  if (values.tasks === true) printTasks(p, byId);
}

/** The largest entries of `m` (µs) as shares of `of`, one line each. */
function printShares(title: string, m: Map<string, number>, of: number, top: number): void {
  process.stdout.write(`${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * v) / of).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
  }
}

const sumOf = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/**
 * The event loop's tasks: runs of non-idle samples, with the areas their time went to. The
 * sampler asks for a sample every interval (1 ms by default); a sample that comes much later
 * means the thread did not run in between, so the excess over the median interval of a sample
 * more than twice as late is counted as time spent waiting for a core.
 */
function printTasks(p: Profile, byId: Map<number, ProfileNode>): void {
  const sorted = [...p.timeDeltas].sort((a, b) => a - b);
  const interval = sorted[Math.floor(sorted.length / 2)] ?? 1000;
  const tasks: { us: number; areas: Map<string, number> }[] = [];
  const lateByArea = new Map<string, number>();
  let cur: (typeof tasks)[number] | undefined;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const f = (byId.get(id) as ProfileNode).callFrame;
    if (f.functionName === '(idle)') {
      cur = undefined;
      return;
    }
    if (cur === undefined) {
      cur = { us: 0, areas: new Map() };
      tasks.push(cur);
    }
    const area = areaOf(f);
    cur.us += dt;
    cur.areas.set(area, (cur.areas.get(area) ?? 0) + dt);
    if (dt > 2 * interval) lateByArea.set(area, (lateByArea.get(area) ?? 0) + dt - interval);
  });
  const busy = sumOf(tasks.map((t) => t.us));
  process.stdout.write(`\nevent-loop tasks (median sample interval ${(interval / 1000).toFixed(2)} ms)\n`);
  process.stdout.write(`${tasks.length} tasks; of the busy time ${((100 * sumOf(lateByArea.values())) / busy).toFixed(1)} % fell between samples taken late (waiting for a core)\n`);
  for (const ms of [5, 10, 25, 50, 100]) {
    const over = tasks.filter((t) => t.us >= ms * 1000);
    process.stdout.write(`  >= ${String(ms).padStart(3)} ms: ${String(over.length).padStart(6)} tasks, ${(sumOf(over.map((t) => t.us)) / 1000).toFixed(0).padStart(6)} ms\n`);
  }
  const byArea = new Map<string, number>();
  for (const t of tasks.filter((x) => x.us >= 25_000)) {
    for (const [a, us] of t.areas) byArea.set(a, (byArea.get(a) ?? 0) + us);
  }
  printShares('time inside tasks of 25 ms or more, by area', byArea, sumOf(byArea.values()), 12);
  // a sample taken late is charged to where the thread was when it stopped running: a socket
  // write that woke the receiving process on the same core shows up here
  printShares('time waiting for a core, by where the thread was', lateByArea, sumOf(lateByArea.values()), 12);
}

main();

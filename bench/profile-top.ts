// `npx tsx bench/profile-top.ts <file.cpuprofile> [--top N]`: where a V8 CPU profile's time went
// (a KDS run with `npm run bench -- cost --profile`). Prints the share of samples per function
// (self time), per area (self time: a node_modules package, a src/ folder, node internals, GC,
// idle) and per src/ folder including callees (inclusive: "the apply step and everything it
// calls"), so a lever can be aimed before it is pulled.
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
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { top: { type: 'string' }, callers: { type: 'string' } }, allowPositionals: true });
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
  const print = (title: string, m: Map<string, number>): void => {
    process.stdout.write(`\n${title}\n`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${((100 * v) / busy).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
    }
  };
  process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (shares below are of that)\n`);
  print('self time by function', selfFn);
  print('self time by area', selfArea);
  print('inclusive time by src/ folder', inclArea);
  if (callersOf !== undefined) print(`callers of ${callersOf}`, callers);
}

main();

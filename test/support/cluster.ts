// KDS instances as child processes (`src/main.ts`, what `npm start` runs, through tsx), for tests
// that SIGKILL or SIGTERM one: several instances of one environment (same consumer group, same
// ZOOKEEPER_ROOT), each with its own HTTP port, read back through its /metrics.
import { spawnTs, type Child } from './processes';

export interface KdsProcess {
  readonly name: string;
  readonly child: Child;
  readonly pid: number;
  readonly port: number;
  /** kds_order_service_limit of this instance: its share of the cluster-wide caps. */
  limits(): Promise<{ concurrency: number; perSecond: number }>;
  /** The process has not exited. */
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
}

export async function spawnKds(name: string, env: Record<string, string>): Promise<KdsProcess> {
  // info logs: the tests read 'http listening', 'service started', 'leadership taken'. Start-up
  // takes seconds alone and over a minute on a 2-core machine shared with other test runs (seen:
  // load average 28), hence the long waits.
  const child = spawnTs('src/main.ts', env);
  const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
  // pino writes the fields before `msg`; either order is accepted
  const listening = await child.waitLine(/"port":(\d+).*"msg":"http listening"|"msg":"http listening".*"port":(\d+)/, 180_000);
  const port = Number(listening[1] ?? listening[2]);
  await child.waitLine(/"msg":"service started"/, 180_000);
  const metric = async (re: RegExp): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = re.exec(text);
    if (m === null) throw new Error(`${name}: no ${re} in /metrics`);
    return Number(m[1]);
  };
  return {
    name,
    child,
    pid: child.process.pid as number,
    port,
    async limits() {
      return {
        concurrency: await metric(/^kds_order_service_limit\{kind="concurrency"\} (\d+)/m),
        perSecond: await metric(/^kds_order_service_limit\{kind="per_second"\} (\d+)/m),
      };
    },
    alive: () => child.process.exitCode === null && child.process.signalCode === null,
    kill: (signal) => child.process.kill(signal),
    exited,
  };
}

/** The sum of the live instances' shares. */
export async function sumOfLimits(instances: readonly KdsProcess[]): Promise<{ concurrency: number; perSecond: number }> {
  const all = await Promise.all(instances.filter((i) => i.alive()).map((i) => i.limits()));
  return all.reduce((a, b) => ({ concurrency: a.concurrency + b.concurrency, perSecond: a.perSecond + b.perSecond }), { concurrency: 0, perSecond: 0 });
}

// The history scenario's read probes (board over HTTP, WebSocket connect → snapshot, stats over
// HTTP), run in a worker thread of their own. In the benchmark's main thread they shared one event
// loop with the paced publisher and the order-service simulator (500 reads/s), so a probe's answer
// waited behind them before its time was taken, and that wait was counted as the service's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { signToken } from '../../src/auth/token';
import { openScreenWith } from './screen';

export interface ReadProbe {
  board: number[];
  snapshot: number[];
  /** of each snapshot: the upgrade's part (the socket caps' admission), and the rest (the read) */
  snapshotUpgrade: number[];
  snapshotAfterUpgrade: number[];
  stats: number[];
  /** the probe thread's own event-loop delay p99 (ms): what its samples may carry of its own */
  probeLoopDelayP99Ms: number;
}

interface Job {
  port: number;
  /** the service's token secret and environment (the thread imports nothing of the stack: its ZooKeeper addon does not load in a worker) */
  secret: string;
  env: string;
  merchants: readonly string[];
  seconds: number;
  concurrency: number;
}

async function probeLoop(job: Job): Promise<ReadProbe> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const out: ReadProbe = { board: [], snapshot: [], snapshotUpgrade: [], snapshotAfterUpgrade: [], stats: [], probeLoopDelayP99Ms: NaN };
  const end = performance.now() + job.seconds * 1000;
  const call = async (path: string, merchantId: string, role: 'kitchen' | 'manager'): Promise<number> => {
    const token = signToken({ role, merchantId }, { secret: job.secret, env: job.env });
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${job.port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
    return performance.now() - t0;
  };
  let i = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const m = job.merchants[(i++ * 7919) % job.merchants.length] as string;
      out.board.push(await call(`/api/merchants/${m}/board`, m, 'kitchen'));
      const s = await openScreenWith(job.port, signToken({ role: 'kitchen', merchantId: m }, { secret: job.secret, env: job.env }), () => undefined);
      out.snapshot.push(s.snapshotMs);
      out.snapshotUpgrade.push(s.upgradeMs);
      out.snapshotAfterUpgrade.push(s.snapshotMs - s.upgradeMs);
      s.ws.terminate();
      out.stats.push(await call(`/api/merchants/${m}/stats`, m, 'manager'));
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  delay.disable();
  out.probeLoopDelayP99Ms = Math.round(delay.percentile(99) / 1e4) / 100;
  return out;
}

/** Runs the probes for `seconds` in a worker thread and resolves with their samples. */
export function runReadProbe(
  port: number, auth: { secret: string; env: string }, merchants: readonly string[], seconds: number, concurrency = 4,
): Promise<ReadProbe> {
  const job: Job = { port, ...auth, merchants, seconds, concurrency };
  // a worker's entry is not run through tsx's loader (".ts" is refused): register it, then load this file
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: job });
  return new Promise<ReadProbe>((resolve, reject) => {
    let result: ReadProbe | undefined;
    worker.once('message', (m: { ok: true; probe: ReadProbe } | { ok: false; error: string }) => {
      if (m.ok) result = m.probe;
      else reject(new Error(`bench: read probe failed: ${m.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`bench: read probe thread exited with ${code} and no result`));
    });
  });
}

if (!isMainThread && parentPort !== null && (workerData as Partial<Job> | null)?.port !== undefined) {
  const port = parentPort;
  probeLoop(workerData as Job).then(
    (probe) => port.postMessage({ ok: true, probe }),
    (err: unknown) => port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}

// Latency: a steady 500 events/s (--rate) for 30 s while a kitchen screen per merchant is connected over
// WebSocket. For every event, publication (just before producer.send) to the moment its `order`
// frame (orderId, version) reaches the screen: p50/p95/p99. Each order body is written to the
// simulator just before its event, as the order system would, so every event applies and pushes.
// The same rate runs for 10 s first and is reported apart (warmup*): a freshly started process
// answers its first seconds with a cold JIT, and a steady state is what the target is about.
import WebSocket from 'ws';
import { signToken } from '../../src/auth/token';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import type { Step } from '../../simulator/types';
import { producer } from '../../test/support/kafka';
import { writeSettings } from '../../test/support/zk';
import { stagesOver } from '../lib/histograms';
import { cpuMeter, mariadbPidOf } from '../lib/processes';
import { BENCH_ENV, KDS_SECRET, prepareStage, stageCounts, startKds } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const RATE = 500;
const SECONDS = 30;
const WARMUP_SECONDS = 10;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function screen(port: number, merchantId: string, onOrder: (orderId: string, version: number) => void): Promise<WebSocket> {
  const token = signToken({ role: 'kitchen', merchantId }, { secret: KDS_SECRET, env: BENCH_ENV });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data: WebSocket.RawData) => {
      const msg = JSON.parse((data as Buffer).toString('utf8')) as { type: string; order?: { orderId: string; version: number } };
      if (msg.type === 'snapshot') resolve();
      if (msg.type === 'order' && msg.order) onOrder(msg.order.orderId, msg.order.version);
    });
  });
  return ws;
}


export async function latency(opts: BenchOptions): Promise<ScenarioResult> {
  const rate = opts.rate ?? RATE;
  const measuredEvents = opts.events ?? rate * SECONDS;
  const warmupEvents = rate * WARMUP_SECONDS;
  const total = warmupEvents + measuredEvents;
  const stage = await prepareStage('latency', 4);
  const sim = await createOrderServiceSimulator();
  const prod = await producer();
  const sockets: WebSocket[] = [];
  try {
    await writeSettings(stage.zkRoot, opts.settings);
    // a steady evening: each order's lifecycle stays close together in the stream
    const steps: Step[] = generateTraffic({ orders: Math.ceil(total / 3), seed: 41, merchants: opts.merchants, window: 300 }).slice(0, total);
    const merchants = [...new Set(steps.map((s) => s.event.merchantId))];
    const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      const sentAt = new Map<string, { t: number; warmup: boolean }>();
      const latencies: number[] = [];
      const warmup: number[] = [];
      for (const m of merchants) {
        sockets.push(await screen(kds.port, m, (orderId, version) => {
          const sent = sentAt.get(`${orderId}:${version}`);
          if (sent !== undefined) {
            (sent.warmup ? warmup : latencies).push(performance.now() - sent.t);
            sentAt.delete(`${orderId}:${version}`);
          }
        }));
      }
      const mariadbPid = await mariadbPidOf(stage.db.pool);
      let cpu: (() => Record<string, number>) | undefined;
      let stagesAtStart: Promise<string> | undefined;
      const t0 = performance.now();
      let done = 0;
      while (done < steps.length) {
        const due = Math.min(steps.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        if (due <= done) {
          await new Promise((r) => setTimeout(r, Math.max(1, t0 + (done * 1000) / rate - performance.now())));
          continue;
        }
        const batch = steps.slice(done, due);
        sim.putOrders(batch.map((s) => s.order));
        const now = performance.now();
        const inWarmup = done < warmupEvents;
        if (!inWarmup && cpu === undefined) {
          cpu = cpuMeter({ kds: kds.pid, mariadb: mariadbPid });
          stagesAtStart = kds.metricsText().catch(() => '');
        }
        for (const s of batch) sentAt.set(`${s.event.orderId}:${s.event.version}`, { t: now, warmup: inWarmup });
        await prod.send({
          topic: stage.topic,
          acks: -1,
          messages: batch.map((s) => ({ key: s.event.orderId, value: JSON.stringify(s.event), headers: { env: BENCH_ENV } })),
        });
        done = due;
      }
      const publishSeconds = (performance.now() - t0) / 1000;
      // wait for the tail: every frame, or 10 s without a new one (an event whose order had
      // already moved on when it was read is applied as the newer version: no frame of its own)
      let last = latencies.length + warmup.length;
      let quietSince = performance.now();
      while (sentAt.size > 0 && performance.now() - quietSince < 10_000) {
        await new Promise((r) => setTimeout(r, 250));
        const n = latencies.length + warmup.length;
        if (n !== last) [last, quietSince] = [n, performance.now()];
      }
      const used = cpu?.() ?? {};
      const stages = stagesOver(await stagesAtStart, await kds.metricsText());
      const database = await stageCounts(stage.db);
      const sorted = [...latencies].sort((a, b) => a - b);
      const warmSorted = [...warmup].sort((a, b) => a - b);
      const p99 = percentile(sorted, 99);
      const pushed = latencies.length + warmup.length;
      return {
        scenario: 'latency',
        events: measuredEvents,
        warmupEvents,
        targetRatePerSec: rate,
        achievedPublishPerSec: round(steps.length / publishSeconds),
        screens: merchants.length,
        pushed: latencies.length,
        // read after their order had moved on: applied as the newer version, no frame of their own
        superseded: sentAt.size,
        everyCommittedChangePushed: database.orderChanges === pushed,
        p50Ms: round(percentile(sorted, 50)),
        p95Ms: round(percentile(sorted, 95)),
        p99Ms: round(p99),
        maxMs: round(sorted[sorted.length - 1] ?? NaN),
        warmupP50Ms: round(percentile(warmSorted, 50)),
        warmupP99Ms: round(percentile(warmSorted, 99)),
        target: 'p99 <= 50 ms (issue 20; was 250 ms)',
        met: p99 <= 50 && database.orderChanges === pushed,
        settings: opts.settings,
        cpu: used,
        // where the time goes after the warm-up, from the service's histograms (bucket bounds)
        stages,
        database,
        kdsWarnings: kds.child.out.filter((l) => /"level":"(warn|error)"/.test(l)).slice(-5),
      };
    } finally {
      for (const s of sockets) s.close();
      await kds.stop();
    }
  } finally {
    await prod.disconnect();
    await sim.close();
    await stage.cleanup();
  }
}

// Archive under load: a database of the benchmark's own MariaDB holding one day of the chain's
// history older than the archive horizon (bench/lib/history-fill.ts, 500,000 orders at full scale,
// `--scale` shrinks it), the KDS running with 20 screens and live traffic at 500 events/s. Live
// publication → screen p99 is measured for 30 s without the archive job, then while the job
// (src/archive/job.ts, as the nightly cron runs it, here started by the benchmark on its own pool)
// moves that day: its duration and counts, and the live p99 during it, in the same run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { writeSeries } from '../lib/series';
import { createArchiveJob } from '../../src/archive/job';
import { DEFAULT_ARCHIVE_PAUSE_PCT } from '../../src/config';
import { createPool } from '../../src/db/pool';
import { silentLogger } from '../../src/log';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { producer } from '../../test/support/kafka';
import { writeSettings } from '../../test/support/zk';
import { stagesOver } from '../lib/histograms';
import { fillHistory, historyCounts, partitionPastDays, settle } from '../lib/history-fill';
import { LatencyBook, openScreen, publishFor, summary, trafficFeed, type Screen } from '../lib/live';
import { load1 } from '../lib/offsets';
import { startPrivateMariadb } from '../lib/private-mariadb';
import { countersSince, readCounters, startTicks } from '../lib/server-status';
import { cpuMeter } from '../lib/processes';
import { prepareStage, startKds } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const MERCHANTS = 2000;
const FULL_ORDERS_PER_DAY = 500_000;
const BASE_S = 30;
const WINDOW_S = 10;

/** p99 and max of the samples seen in each `seconds` window after `t0` (performance.now() times). */
function windows(samples: readonly number[], at: readonly number[], t0: number, seconds: number): { s: number; n: number; p99Ms: number; maxMs: number }[] {
  const by = new Map<number, number[]>();
  samples.forEach((ms, i) => {
    const w = Math.floor(((at[i] ?? t0) - t0) / 1000 / seconds) * seconds;
    const list = by.get(w);
    if (list === undefined) by.set(w, [ms]);
    else list.push(ms);
  });
  return [...by].sort(([a], [b]) => a - b).map(([s, ms]) => {
    const { n, p99Ms, maxMs } = summary(ms);
    return { s, n, p99Ms, maxMs };
  });
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function archive(opts: BenchOptions): Promise<ScenarioResult> {
  const rate = opts.rate ?? 500;
  const baseSeconds = opts.baseSeconds ?? BASE_S;
  const shape = { merchants: MERCHANTS, ordersPerDay: Math.round(FULL_ORDERS_PER_DAY * (opts.scale ?? 1)), firstDay: 8, days: 8 };
  const db = await startPrivateMariadb('archive', opts.mariadbArgs);
  const stage = await prepareStage('archive', 4, db.url);
  const sim = await createOrderServiceSimulator();
  const prod = await producer();
  const screens: Screen[] = [];
  try {
    const fill = await mysql.createConnection({ uri: stage.db.url });
    // the change log in days, as a service running through them leaves it
    await partitionPastDays(fill, shape.firstDay);
    const t0 = performance.now();
    await fillHistory(fill, shape, (m) => void process.stderr.write(`${m}\n`));
    const fillSeconds = round((performance.now() - t0) / 1000);
    const before = await historyCounts(fill);
    const settleSeconds = await settle(fill);
    await fill.end();

    await writeSettings(stage.zkRoot, opts.settings);
    const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      // generated as it is published (bench/lib/live.ts trafficFeed): the whole run's steps would
      // weigh ~600 MB in this process, whose GC pauses its screens would time as latency
      const steps = trafficFeed({ seed: 83, merchants: MERCHANTS, window: 300, startMs: Date.now() });
      const merchants = [...new Set(generateTraffic({ orders: 3000, seed: 83, merchants: MERCHANTS }).map((s) => s.event.merchantId))].slice(0, 20);
      const book = new LatencyBook();
      // when each sample was taken, for the timeline of the job's run
      const seenAt: number[] = [];
      const seen = (o: string, v: number): void => {
        const had = book.samples.length;
        book.seen(o, v);
        if (book.samples.length > had) seenAt.push(performance.now());
      };
      for (const m of merchants) screens.push(await openScreen(kds.port, m, seen));
      // warm-up, then the baseline
      await publishFor(prod, stage.topic, sim, steps, rate, book, 10).done;
      await sleep(2000);
      book.take();
      seenAt.length = 0;
      const loadBase = load1();
      const cpuBase = cpuMeter({ kds: kds.pid, mariadb: db.pid() });
      // where the live latency goes (the service's stage histograms) and what MariaDB did
      const phase = async (): Promise<() => Promise<{ stages: ReturnType<typeof stagesOver>; mariadb: Record<string, number> }>> => {
        const [m0, c0] = await Promise.all([kds.metricsText(), readCounters(stage.db.pool)]);
        return async () => {
          const [m1, c1] = await Promise.all([kds.metricsText(), readCounters(stage.db.pool)]);
          return { stages: stagesOver(m0, m1), mariadb: countersSince(c0, c1) };
        };
      };
      const endBase = await phase();
      const baseTicks = startTicks(stage.db.pool, () => kds.metricsText());
      const b0 = performance.now();
      await publishFor(prod, stage.topic, sim, steps, rate, book, baseSeconds).done;
      await sleep(2000);
      const usedBase = cpuBase();
      const baseInside = await endBase();
      const baseSeries = await baseTicks.stop();
      const baseSecs = windows(book.samples, seenAt.slice(-book.samples.length), b0, 1);
      const baseTimeline = windows(book.samples, seenAt.splice(0).slice(-book.samples.length), b0, WINDOW_S);
      const base = summary(book.take());

      // the archive job, as the cron runs it (its own pool), while the same traffic goes on
      const pool = createPool(stage.db.url, 4);
      // as the service runs it: ARCHIVE_PAUSE_PCT from the environment, else the service's default
      const pausePercent = Number(process.env.ARCHIVE_PAUSE_PCT ?? DEFAULT_ARCHIVE_PAUSE_PCT);
      // ARCHIVE_BATCH_SIZE: the bench's own knob to try another batch size (the service keeps 500)
      const batchSize = process.env.ARCHIVE_BATCH_SIZE === undefined ? undefined : Number(process.env.ARCHIVE_BATCH_SIZE);
      const job = createArchiveJob({ pool, log: silentLogger, afterDays: 7, pausePercent, batchSize });
      const loadArchive = load1();
      const cpuArchive = cpuMeter({ kds: kds.pid, mariadb: db.pid(), bench: process.pid });
      const endDuring = await phase();
      const duringTicks = startTicks(stage.db.pool, () => kds.metricsText());
      // the benchmark's own loop (publisher, screens, simulator, the job's client): a stall here
      // delays the frames it times as much as one in the service
      const benchLoop = monitorEventLoopDelay({ resolution: 10 });
      benchLoop.enable();
      const traffic = publishFor(prod, stage.topic, sim, steps, rate, book, 600);
      const j0 = performance.now();
      const moved = await job.runOnce();
      const jobSeconds = (performance.now() - j0) / 1000;
      traffic.stop();
      await traffic.done;
      await sleep(2000);
      const usedArchive = cpuArchive();
      const duringInside = await endDuring();
      const duringSeries = await duringTicks.stop();
      benchLoop.disable();
      const benchLoopMs = { p99: round(benchLoop.percentile(99) / 1e6), max: round(benchLoop.max / 1e6) };
      const atDuring = seenAt.splice(0).slice(-book.samples.length);
      const timeline = windows(book.samples, atDuring, j0, WINDOW_S);
      const duringSecs = windows(book.samples, atDuring, j0, 1);
      const during = summary(book.take());
      await pool.end();
      const after = await historyCounts(stage.db.pool);
      const ratio = during.p99Ms / base.p99Ms;
      const series = writeSeries('archive', { base: { latency: baseSecs, ticks: baseSeries }, during: { latency: duringSecs, ticks: duringSeries } });
      return {
        scenario: 'archive',
        shape, fillSeconds, settleSeconds, before, after,
        job: { seconds: round(jobSeconds), pausePercent, batchSize, ...moved },
        liveRatePerSec: rate,
        withoutArchive: { ...base, seconds: baseSeconds, load1: loadBase, cpu: usedBase, ...baseInside, timeline: baseTimeline },
        duringArchive: { ...during, load1: loadArchive, cpu: usedArchive, ...duringInside, benchLoopMs },
        p99Ratio: round(ratio, 2),
        // live latency in windows from the job's start: whether the tail follows a phase of it
        timeline,
        series,
        target: 'the day moved within 10 min; live p99 during <= 2x without',
        met: moved.complete && jobSeconds <= 600 && ratio <= 2,
      };
    } finally {
      for (const s of screens) s.ws.terminate();
      await kds.stop();
    }
  } finally {
    await prod.disconnect();
    await sim.close();
    await stage.cleanup();
    await db.stop();
  }
}

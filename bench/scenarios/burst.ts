// Burst: the service runs idle; 100,000 events are published at once (a bulk correction in the
// order system). The order service is capped at 32 concurrent calls and answers in 5 ms. Measured:
// drain time, the simulator's own peak concurrency (must stay <= 32) and the KDS process's peak
// RSS (kernel high-water mark, VmHWM), with /metrics sampled during the drain.
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { placedOnly } from '../../test/support/events';
import { writeSettings } from '../../test/support/zk';
import { cpuMeter, mariadbPidOf } from '../lib/processes';
import { appliedWindow, prepareStage, publishBacklog, startKds, untilFinished } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const CAP = 32;

export async function burst(opts: BenchOptions): Promise<ScenarioResult> {
  const events = opts.events ?? 100_000;
  const partitions = 4;
  const stage = await prepareStage('burst', partitions);
  const sim = await createOrderServiceSimulator();
  try {
    sim.setGlobal({ latencyMs: 5 });
    const settings = { ...opts.settings, orderServiceMaxConcurrent: CAP };
    await writeSettings(stage.zkRoot, settings);
    const steps = placedOnly(generateTraffic({ orders: events, seed: 31, merchants: opts.merchants }));
    const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      const rssBefore = kds.memory().rssMb;
      const samples: Array<{ t: number; pending: number; lag: number; rssMb: number }> = [];
      const t0 = performance.now();
      const sampler = setInterval(() => {
        void Promise.all([kds.metric('kds_work_pending'), kds.metric('kds_consumer_lag')]).then(
          ([pending, lag]) => samples.push({ t: round((performance.now() - t0) / 1000), pending, lag, rssMb: round(kds.memory().rssMb) }),
          () => undefined,
        );
      }, 2000);
      const cpu = cpuMeter({ kds: kds.pid, mariadb: await mariadbPidOf(stage.db.pool) });
      const publishMs = await publishBacklog(stage.topic, steps, inProcessWriter(sim));
      await untilFinished(kds, steps.length, 'KDS drained the burst', 3_600_000);
      const drainSeconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const used = cpu();
      const w = await appliedWindow(stage.db);
      const stats = sim.stats();
      const mem = kds.memory();
      const crashes = kds.child.out.filter((l) => l.includes('kafka consumer crashed')).length;
      return {
        scenario: 'burst',
        events: steps.length,
        partitions,
        orderServiceLatencyMs: 5,
        capConcurrent: CAP,
        publishSeconds: round(publishMs / 1000, 1),
        drainSeconds: round(drainSeconds, 1),
        applyPerSec: round((w.n - 1) / w.seconds),
        simulatorPeakConcurrency: stats.peakConcurrency,
        simulatorPeakRps: stats.peakRps,
        capHeld: stats.peakConcurrency <= CAP,
        peakRssMb: round(mem.peakRssMb),
        rssBeforeBurstMb: round(rssBefore),
        rssTarget: 'peak RSS < 300 MB',
        rssMet: mem.peakRssMb < 300,
        maxWorkPending: Math.max(0, ...samples.map((s) => s.pending)),
        maxLag: Math.max(0, ...samples.map((s) => s.lag)),
        consumerCrashes: crashes,
        settings,
        cpu: used,
        samples: samples.filter((_, i) => i % 10 === 0),
      };
    } finally {
      await kds.stop();
    }
  } finally {
    await sim.close();
    await stage.cleanup();
  }
}

// `npx tsx bench/probe.ts [events] [concurrency]`: the pipeline in this process (no HTTP, no cron)
// draining a backlog of first events of distinct orders with the simulator answering at once:
// events/s, CPU-seconds used, peak work in flight and peak memory. Run it with
// `node --cpu-prof --import tsx bench/probe.ts` to see where the CPU goes (docs/throughput.md).
import { inProcessWriter } from '../simulator/admin-client';
import { createKafka } from '../src/kafka/client';
import { silentLogger } from '../src/log';
import { createOrderServiceSimulator } from '../simulator/order-service';
import { generateTraffic } from '../simulator/scenario';
import { KAFKA_BROKERS } from '../test/support/infra';
import { placedOnly } from '../test/support/events';
import { startTestPipeline } from '../test/support/pipeline';
import { createTally } from '../test/support/tally';
import { prepareStage, publishBacklog } from './lib/stack';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 128);
  const stage = await prepareStage('probe', 4);
  const sim = await createOrderServiceSimulator();
  try {
    const steps = placedOnly(generateTraffic({ orders: n, seed: 3, merchants: 20 }));
    await publishBacklog(stage.topic, steps, inProcessWriter(sim));
    const tally = createTally();
    const cpu0 = process.cpuUsage();
    const p = await startTestPipeline({
      kafka: createKafka('probe', KAFKA_BROKERS, silentLogger),
      topic: stage.topic, groupId: stage.groupId, env: 'bench', pool: stage.db.pool, orderServiceUrl: sim.url,
      limits: { processingConcurrency: concurrency, orderServiceMaxConcurrent: 64, orderServiceMaxPerSecond: 5000 },
      observer: tally,
    });
    let peakActive = 0;
    let peakRss = 0;
    let heapAtPeak = 0;
    let heapTotalAtPeak = 0;
    let first = 0;
    const sampler = setInterval(() => {
      if (first === 0 && tally.total() > 0) first = performance.now();
      peakActive = Math.max(peakActive, p.scheduler.active());
      const m = process.memoryUsage();
      if (m.rss > peakRss) [peakRss, heapAtPeak, heapTotalAtPeak] = [m.rss, m.heapUsed, m.heapTotal];
    }, 5);
    await tally.reach(steps.length, 600_000);
    const seconds = (performance.now() - first) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    await p.close();
    process.stdout.write(`${JSON.stringify({
      events: steps.length,
      perSecond: Math.round(steps.length / seconds),
      cpuMsPerEvent: Number(((cpu.user + cpu.system) / 1000 / steps.length).toFixed(2)),
      peakActive,
      peakRssMb: Math.round(peakRss / 1048576),
      heapUsedAtPeakMb: Math.round(heapAtPeak / 1048576),
      heapTotalAtPeakMb: Math.round(heapTotalAtPeak / 1048576),
      counts: tally.counts,
    })}\n`);
  } finally {
    await sim.close();
    await stage.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

// Idle: the whole service (consumer, lag monitor, retry cron, screens hub, ZooKeeper session)
// with nothing to do, CPU measured over 20 s from /proc after a 5 s settle. kafkajs 2.2.4 alone
// burns ~5 % of a core idle (a 1 ms timer loop per broker connection, tulios/kafkajs#1556);
// src/pipeline/consumer.ts guards against it.
import { createOrderServiceSimulator } from '../../simulator/order-service';
import { writeSettings } from '../../test/support/zk';
import { cpuSecondsOf } from '../lib/processes';
import { prepareStage, startKds } from '../lib/stack';
import { round } from './ceiling';
import type { BenchOptions, ScenarioResult } from './types';

const SETTLE_MS = 5000;
const MEASURE_MS = 20_000;

export async function idle(opts: BenchOptions): Promise<ScenarioResult> {
  const stage = await prepareStage('idle', 4);
  const sim = await createOrderServiceSimulator();
  try {
    await writeSettings(stage.zkRoot, opts.settings);
    const kds = await startKds(stage, sim.url, opts.kdsEnv, opts.kdsNodeArgs);
    try {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const before = cpuSecondsOf(kds.pid);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      const cpu = cpuSecondsOf(kds.pid) - before;
      const wall = (performance.now() - t0) / 1000;
      const pct = (100 * cpu) / wall;
      return {
        scenario: 'idle',
        measuredSeconds: round(wall, 1),
        cpuSeconds: round(cpu, 2),
        cpuPctOfOneCore: round(pct, 2),
        rssMb: round(kds.memory().rssMb),
        target: 'no idle burn (kafkajs 2.2.4 unguarded: ~5 % of a core for the consumer alone)',
        met: pct < 3,
      };
    } finally {
      await kds.stop();
    }
  } finally {
    await sim.close();
    await stage.cleanup();
  }
}

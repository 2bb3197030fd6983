// Live settings change while a backlog is being consumed: concurrency and caps written to
// ZooKeeper reach the gate and the scheduler within seconds, and the order-service simulator (own
// process) sees its peak concurrency and rate follow them up and down, without a restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { startTestSettings, type TestSettings } from '../support/settings';
import { generateTraffic } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { placedOnly } from '../support/events';
import { KAFKA_BROKERS, ZK_CONNECT } from '../support/infra';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { startTestPipeline, type TestPipeline } from '../support/pipeline';
import { spawnSimulator, type SimulatorProcess } from '../support/processes';
import { createTally } from '../support/tally';
import { waitFor } from '../support/wait';
import { connectZk, removeTree, writeSettings } from '../support/zk';
import { rateBound } from '../support/sim-rate';

const root = `/test_settings_live_${randomBytes(4).toString('hex')}`;
let db: TestDb;
let sim: SimulatorProcess;
let topic: string;
let prod: Producer;
let pipeline: TestPipeline | undefined;
let settings: TestSettings | undefined;

before(async () => {
  topic = randomTopic('live');
  [db, sim] = await Promise.all([freshDatabase('live'), spawnSimulator(), createTopic(topic, 4)]);
  prod = await makeProducer();
});

after(async () => {
  await pipeline?.close();
  await settings?.close();
  await prod?.disconnect();
  await sim?.stop();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
  const zk = await connectZk();
  await removeTree(zk, root).catch(() => undefined);
  zk.close();
});

test('concurrency and caps change mid-stream and the order service sees it', async (t) => {
  const steps = placedOnly(generateTraffic({ orders: 4000, seed: 17, merchants: 10, idPrefix: 'LIVE' }));
  await sim.admin.setGlobal({ latencyMs: 20 });
  await runTraffic({ producer: prod, writer: sim.admin, topic, env: 'test', steps, mode: { kind: 'burst' } });

  await writeSettings(root, { processingConcurrency: 8, orderServiceMaxConcurrent: 3, orderServiceMaxPerSecond: 1000 });
  settings = await startTestSettings({
    connect: ZK_CONNECT, root, log: silentLogger,
    defaults: { processingConcurrency: 64, orderServiceMaxConcurrent: 16, orderServiceMaxPerSecond: 200, retryBatchSize: 100 },
  });
  const live = settings;
  const tally = createTally();
  pipeline = await startTestPipeline({
    kafka: createKafka('kds-live-test', KAFKA_BROKERS, silentLogger),
    topic, groupId: `${topic}_kds`, env: 'test', pool: db.pool, orderServiceUrl: sim.url,
    limits: { processingConcurrency: 1, orderServiceMaxConcurrent: 1, orderServiceMaxPerSecond: 1 },
    observer: tally,
    settings: live, // bound to the scheduler and the gate as the service binds them
  });
  const { scheduler, gate } = pipeline;
  let peakActive = 0;
  const sampler = setInterval(() => (peakActive = Math.max(peakActive, scheduler.active())), 5);
  t.after(() => clearInterval(sampler));

  /** Lets `n` more events finish, with fresh peaks, once work above the current limits has drained. */
  const phase = async (n: number, cap: number): Promise<{ peakConcurrency: number; peakRps: number; maxLoopDelayMs: number }> => {
    // work started under the previous limits finishes first (a lower limit never interrupts it)
    await waitFor(`calls in flight <= ${cap}`, async () => (await sim.admin.stats()).inFlight <= cap);
    await waitFor('scheduler within its limit', () => scheduler.active() <= scheduler.limit());
    await sim.admin.resetStats();
    peakActive = 0;
    await tally.reach(tally.total() + n, 60_000);
    const s = await sim.admin.stats();
    t.diagnostic(`cap ${cap}: simulator peak concurrency ${s.peakConcurrency}, peak rps ${s.peakRps}, scheduler peak ${peakActive}/${scheduler.limit()}`);
    return s;
  };
  const change = async (values: Parameters<typeof writeSettings>[1], applied: () => boolean): Promise<void> => {
    const t0 = Date.now();
    await writeSettings(root, values);
    await waitFor('settings applied', applied, 5000);
    t.diagnostic(`applied ${JSON.stringify(values)} in ${Date.now() - t0} ms`);
  };

  // 1. as started: 3 calls at a time, 8 events in flight
  assert.deepEqual(gate.limits(), { maxConcurrent: 3, maxPerSecond: 1000 });
  assert.equal(scheduler.limit(), 8);
  let s = await phase(300, 3);
  assert.ok(s.peakConcurrency <= 3 && s.peakConcurrency >= 2, `peak ${s.peakConcurrency} within cap 3`);
  assert.ok(peakActive <= 8);

  // 2. raised while consuming
  await change({ orderServiceMaxConcurrent: 12, processingConcurrency: 32 }, () => gate.limits().maxConcurrent === 12 && scheduler.limit() === 32);
  s = await phase(600, 12);
  assert.ok(s.peakConcurrency <= 12 && s.peakConcurrency >= 8, `peak ${s.peakConcurrency} follows the raised cap 12`);
  assert.ok(peakActive <= 32 && peakActive > 8, `scheduler uses its new limit (${peakActive})`);

  // 3. a rate cap
  await change({ orderServiceMaxPerSecond: 60 }, () => gate.limits().maxPerSecond === 60);
  s = await phase(150, 12);
  const rate = rateBound(60, s);
  assert.ok(rate.ok && s.peakRps >= 45, `${rate.message}, and >= 45: it follows the cap 60`);

  // 4. lowered again
  await change({ orderServiceMaxConcurrent: 2, orderServiceMaxPerSecond: 1000, processingConcurrency: 4 }, () => gate.limits().maxConcurrent === 2 && scheduler.limit() === 4);
  s = await phase(200, 2);
  assert.ok(s.peakConcurrency <= 2, `peak ${s.peakConcurrency} follows the lowered cap 2`);
  assert.ok(peakActive <= 4);
});

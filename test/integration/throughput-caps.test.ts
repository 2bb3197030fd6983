// The order-service caps hold whatever the backlog: thousands of events already in Kafka, 256 in
// flight in the pipeline, and the retry job working parked events at the same time through the
// SAME gate (as src/service.ts wires it). The simulator's own counters (peak concurrency, peak
// calls in any sliding second) must stay at or under the caps, and reach them (the backlog did
// push against the gate). The simulator runs in its own process, like the real order service:
// its arrival clock must not stall with our event loop.
import assert from 'node:assert/strict';
import { testRetry } from '../support/features';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { generateTraffic } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { KAFKA_BROKERS } from '../support/infra';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { startTestPipeline, type TestPipeline } from '../support/pipeline';
import { spawnSimulator, type SimulatorProcess } from '../support/processes';
import { createTally } from '../support/tally';
import { waitFor } from '../support/wait';
import { rateBound } from '../support/sim-rate';

const CAP_CONCURRENT = 6;
const CAP_RPS = 150;

let db: TestDb;
let sim: SimulatorProcess;
let topic: string;
let prod: Producer;
let pipeline: TestPipeline | undefined;
let stopRetries = false;

before(async () => {
  topic = randomTopic('caps');
  [db, sim] = await Promise.all([freshDatabase('caps'), spawnSimulator(), createTopic(topic, 4)]);
  prod = await makeProducer();
});

after(async () => {
  stopRetries = true;
  await pipeline?.close();
  await prod?.disconnect();
  await sim?.stop();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

interface CountRow extends RowDataPacket {
  n: number;
}

test('caps are never exceeded under a backlog, consumer and retry job together', async (t) => {
  const steps = generateTraffic({ orders: 700, seed: 5, merchants: 10, idPrefix: 'CAP' });
  const orderIds = [...new Set(steps.map((s) => s.event.orderId))];
  await sim.admin.setGlobal({ latencyMs: { min: 2, max: 8 } });
  // Every 7th order is not found on its first read: parked, then worked by the retry job.
  for (const id of orderIds.filter((_, i) => i % 7 === 0)) await sim.admin.setOrderSwitches(id, { notFoundFirstN: 1 });
  await runTraffic({ producer: prod, writer: sim.admin, topic, env: 'test', steps, mode: { kind: 'burst' } });
  await sim.admin.resetStats();

  const tally = createTally();
  let peakQueued = 0;
  let sampler: NodeJS.Timeout | undefined;
  pipeline = await startTestPipeline({
    kafka: createKafka('kds-caps-test', KAFKA_BROKERS, silentLogger),
    topic,
    groupId: `${topic}_kds`,
    env: 'test',
    pool: db.pool,
    orderServiceUrl: sim.url,
    limits: { processingConcurrency: 256, orderServiceMaxConcurrent: CAP_CONCURRENT, orderServiceMaxPerSecond: CAP_RPS },
    observer: tally,
    // sampled from before the first record is fetched
    beforeStart: ({ gate }) => (sampler = setInterval(() => (peakQueued = Math.max(peakQueued, gate.queued())), 20)),
  });
  const worker = testRetry({ pool: db.pool, orders: pipeline.orders, backoffBaseMs: 50, maxAttempts: 10, batchSize: 20 }).worker;
  let retryRuns = 0;
  const retrying = (async () => {
    while (!stopRetries) {
      const r = await worker.runOnce();
      retryRuns += r.attempted;
      await new Promise((res) => setTimeout(res, 50));
    }
  })();

  try {
    await tally.reach(steps.length, 120_000);
    await waitFor('retry table drained', async () => {
      const [rows] = await db.pool.query<CountRow[]>("SELECT COUNT(*) AS n FROM retry_entries WHERE status <> 'DONE'");
      return Number(rows[0]?.n) === 0;
    }, 60_000);
  } finally {
    stopRetries = true;
    clearInterval(sampler);
    await retrying;
  }

  const stats = await sim.admin.stats();
  t.diagnostic(
    `${steps.length} events, ${tally.counts.parked} parked and retried (${retryRuns} attempts): simulator peak ` +
      `concurrency ${stats.peakConcurrency}/${CAP_CONCURRENT}, peak calls in a sliding second ${stats.peakRps}/${CAP_RPS} (simulator loop stall ${stats.maxLoopDelayMs} ms), ` +
      `peak gate queue ${peakQueued}`,
  );
  assert.ok(tally.counts.parked > 0 && retryRuns > 0, `the retry job worked parked events (${tally.counts.parked} parked, ${retryRuns} attempts)`);
  assert.ok(stats.peakConcurrency <= CAP_CONCURRENT, `peak concurrency ${stats.peakConcurrency} <= ${CAP_CONCURRENT}`);
  const rate = rateBound(CAP_RPS, stats);
  assert.ok(rate.ok, rate.message);
  assert.ok(stats.peakConcurrency >= CAP_CONCURRENT - 1, `the backlog pushed against the concurrency cap (${stats.peakConcurrency})`);
  assert.ok(stats.peakRps >= CAP_RPS * 0.9, `the backlog pushed against the rate cap (${stats.peakRps})`);
  assert.ok(peakQueued > 50, `calls waited at the gate (peak queue ${peakQueued})`);
  const [orders] = await db.pool.query<CountRow[]>('SELECT COUNT(*) AS n FROM orders');
  assert.equal(Number(orders[0]?.n), orderIds.length);
});

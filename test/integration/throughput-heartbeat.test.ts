// Slow order-service calls do not cost the group membership: with every call taking 2 s and a
// 6 s session timeout, one fetched batch takes far longer than the session timeout to finish,
// yet the member never leaves the group (no rebalance, no crash) and nothing is processed twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { generateTraffic } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { placedOnly } from '../support/events';
import { KAFKA_BROKERS } from '../support/infra';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { startTestPipeline, type TestPipeline } from '../support/pipeline';
import { spawnSimulator, type SimulatorProcess } from '../support/processes';
import { createTally } from '../support/tally';

let db: TestDb;
let sim: SimulatorProcess;
let topic: string;
let prod: Producer;
let pipeline: TestPipeline | undefined;

before(async () => {
  topic = randomTopic('heartbeat');
  [db, sim] = await Promise.all([freshDatabase('heartbeat'), spawnSimulator(), createTopic(topic, 1)]);
  prod = await makeProducer();
});

after(async () => {
  await pipeline?.close();
  await prod?.disconnect();
  await sim?.stop();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

test('a batch that takes over 3x the session timeout keeps its membership', async (t) => {
  const steps = placedOnly(generateTraffic({ orders: 60, seed: 9, idPrefix: 'HB' }));
  await sim.admin.setGlobal({ latencyMs: 2000 });
  await runTraffic({ producer: prod, writer: sim.admin, topic, env: 'test', steps, mode: { kind: 'burst' } });

  const events: string[] = [];
  const tally = createTally();
  const started = performance.now();
  pipeline = await startTestPipeline({
    kafka: createKafka('kds-heartbeat-test', KAFKA_BROKERS, silentLogger),
    topic,
    groupId: `${topic}_kds`,
    env: 'test',
    pool: db.pool,
    orderServiceUrl: sim.url,
    sessionTimeoutMs: 6000,
    limits: { processingConcurrency: 64, orderServiceMaxConcurrent: 6, orderServiceMaxPerSecond: 100 },
    observer: tally,
    beforeStart: ({ consumer: { consumer: c } }) => {
      c.on(c.events.GROUP_JOIN, () => events.push('join'));
      c.on(c.events.REBALANCING, () => events.push('rebalancing'));
      c.on(c.events.CRASH, () => events.push('crash'));
    },
  });
  await tally.reach(steps.length, 120_000);
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${steps.length} events at 2 s per call, 6 at a time: ${seconds.toFixed(1)} s; consumer events: ${events.join(', ')}`);
  assert.ok(seconds > 15, 'the single batch ran well past the 6 s session timeout');
  assert.deepEqual(events, ['join'], 'joined once: no rebalance, no crash');
  assert.equal(tally.counts.applied, steps.length);
  assert.equal(tally.counts.duplicate, 0, 'nothing was delivered twice');
});

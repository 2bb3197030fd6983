// Per-order order under high concurrency on the real stack: thousands of orders with their events
// randomly interleaved over 8 partitions, 256 events in flight, random order-service latency.
// The order-service answer is pinned to the version of the event being processed (via a thin
// wrapper over the real client, gate and simulator), so every event applies and leaves its own
// `order` row in change_log: an event run before its predecessor would show up as a missing or
// out-of-order version there, not be masked by the version guards.
//
// Two kinds of second run are allowed, because delivery is at least once: a run that threw rolled
// its transaction back (a deadlock, which the consumer retries in place as infrastructure), and a
// record redelivered after a rebalance (kafkajs fetches again from the committed offset) must come
// out a duplicate. What may never happen: two runs of an order at once, a version started before
// the one before it finished, or a finished version changing anything when it is run again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { inProcessWriter } from '../../simulator/admin-client';
import { createKafka } from '../../src/kafka/client';
import { silentLogger } from '../../src/log';
import { parseOrderDetails } from '../../src/order-service/details';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic, type OrderBody } from '../../simulator/scenario';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { KAFKA_BROKERS } from '../support/infra';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { startTestPipeline, type TestPipeline } from '../support/pipeline';
import { createTally } from '../support/tally';

const ORDERS = 3000;

let db: TestDb;
let sim: OrderServiceSimulator;
let topic: string;
let pipeline: TestPipeline | undefined;
let prod: Producer;

before(async () => {
  topic = randomTopic('ordering');
  [db, sim] = await Promise.all([freshDatabase('ordering'), createOrderServiceSimulator(), createTopic(topic, 8)]);
  prod = await makeProducer();
});

after(async () => {
  await pipeline?.close();
  await prod?.disconnect();
  await sim?.close();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

interface LogRow extends RowDataPacket {
  order_id: string;
  payload: string;
}

test('every order\'s events are applied one at a time, in version order, with hundreds in flight', async () => {
  const steps = generateTraffic({ orders: ORDERS, seed: 42, merchants: 20, idPrefix: 'ORD' });
  const bodies = new Map<string, OrderBody[]>();
  for (const s of steps) bodies.set(s.order.orderId, [...(bodies.get(s.order.orderId) ?? []), s.order]);

  sim.setGlobal({ latencyMs: { min: 0, max: 15 } });
  await runTraffic({ producer: prod, writer: inProcessWriter(sim), topic, env: 'test', steps, mode: { kind: 'burst' } });

  // What the processor sees, per order: the version in progress and the ones finished so far.
  const inProgress = new Map<string, number>();
  const finished = new Map<string, number[]>();
  const retried: string[] = [];
  let redelivered = 0;
  let active = 0;
  let peakActive = 0;
  const violations: string[] = [];
  const tally = createTally();
  pipeline = await startTestPipeline({
    kafka: createKafka('kds-ordering-test', KAFKA_BROKERS, silentLogger),
    topic,
    groupId: `${topic}_kds`,
    env: 'test',
    pool: db.pool,
    orderServiceUrl: sim.url,
    limits: { processingConcurrency: 256, orderServiceMaxConcurrent: 64, orderServiceMaxPerSecond: 5000 },
    observer: tally,
    wrapClient: (client) => ({
      async fetchOrder(orderId) {
        await client.fetchOrder(orderId); // the real call: gate, HTTP, simulator latency
        const version = inProgress.get(orderId) ?? 0;
        const body = bodies.get(orderId)?.find((b) => b.version === version);
        return parseOrderDetails(body, orderId);
      },
    }),
    wrapProcessor: (process) => async (input) => {
      const { orderId, version } = input.event;
      if (inProgress.has(orderId)) violations.push(`${orderId} v${version} started while v${inProgress.get(orderId)} ran`);
      const done = finished.get(orderId) ?? [];
      const again = done.includes(version);
      const expected = bodies.get(orderId)?.[done.length]?.version;
      if (!again && version !== expected) violations.push(`${orderId} v${version} started after v${done.join(',') || 'none'} finished`);
      inProgress.set(orderId, version);
      peakActive = Math.max(peakActive, ++active);
      try {
        const outcome = await process(input);
        if (again) {
          redelivered += 1;
          if (outcome !== 'duplicate') violations.push(`${orderId} v${version} run again after it finished: ${outcome}`);
        } else finished.set(orderId, [...done, version]);
        return outcome;
      } catch (err) {
        retried.push(`${orderId} v${version}: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      } finally {
        active--;
        inProgress.delete(orderId);
      }
    },
  });

  // redelivered records count in the tally too (as duplicates): wait for every event applied
  const deadline = Date.now() + 120_000;
  let waited: Error | undefined;
  while (waited === undefined && tally.counts.applied < steps.length) {
    await tally.reach(tally.total() + steps.length - tally.counts.applied, Math.max(1, deadline - Date.now())).catch((err: unknown) => {
      waited = err instanceof Error ? err : new Error(String(err));
    });
  }
  assert.deepEqual(violations.slice(0, 20), [], `runs that threw and were run again: ${retried.slice(0, 5).join('; ')}`);
  if (waited !== undefined) throw waited;
  if (retried.length + redelivered > 0) {
    console.log(`ordering: ${retried.length} runs threw and were run again (${retried[0] ?? '-'}); ${redelivered} records redelivered`);
  }
  assert.equal(tally.counts.applied, steps.length, 'every event applied once');
  assert.equal(tally.counts.duplicate, redelivered, 'no duplicate but a redelivered record');
  assert.equal(tally.counts.parked + tally.counts.dead_lettered, 0, 'none parked or dead-lettered');
  assert.ok(peakActive >= 128, `high concurrency reached: ${peakActive} events in flight at once`);

  const [rows] = await db.pool.query<LogRow[]>("SELECT order_id, payload FROM change_log WHERE kind = 'order' ORDER BY merchant_id, seq");
  const applied = new Map<string, number[]>();
  for (const r of rows) {
    const v = (JSON.parse(r.payload) as { version: number }).version;
    applied.set(r.order_id, [...(applied.get(r.order_id) ?? []), v]);
  }
  assert.equal(applied.size, ORDERS);
  for (const [orderId, versions] of bodies) {
    assert.deepEqual(applied.get(orderId), versions.map((b) => b.version), `${orderId}: versions applied in order`);
  }
});

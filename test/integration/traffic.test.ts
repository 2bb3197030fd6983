// Traffic generator against real Kafka: a gzip burst and a steady-rate run to a random topic,
// consumed back; the simulator must hold every order's final version.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { inProcessWriter } from '../../simulator/admin-client';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { runTraffic, type TrafficResult } from '../../simulator/traffic';
import type { OrderEvent } from '../../simulator/types';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `test_sim_${randomBytes(4).toString('hex')}`;
const kafka = new Kafka({ clientId: 'kds-traffic-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
let producer: Producer;
let sim: OrderServiceSimulator;

interface Got { key: string; env: string; value: string; partition: number }

async function consumeAll(expected: number): Promise<Got[]> {
  const consumer = kafka.consumer({ groupId: `test_sim_${randomBytes(4).toString('hex')}` });
  const got: Got[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${expected}`)), 30_000);
      consumer.run({
        eachMessage: ({ message, partition }) => {
          got.push({
            key: message.key?.toString('utf8') ?? '',
            env: message.headers?.env?.toString() ?? '',
            value: message.value?.toString('utf8') ?? '',
            partition,
          });
          if (got.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

before(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  sim = await createOrderServiceSimulator();
});

after(async () => {
  await producer.disconnect();
  await sim.close();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('runTraffic', () => {
  let burst: TrafficResult;
  let steady: TrafficResult;

  it('publishes a gzip burst with injected faults, bodies written first', async () => {
    const steps = generateTraffic({ orders: 300, seed: 11, idPrefix: 'tb-', startMs: Date.now() });
    burst = await runTraffic({
      producer, writer: inProcessWriter(sim), topic, env: 'test', steps, mode: { kind: 'burst' },
      gzip: true, batchSize: 200, malformed: 4, wrongEnv: 2, faultIdPrefix: 'tb-BAD-',
    });
    assert.equal(burst.events, steps.length);
    assert.equal(burst.injected.length, 6);
    assert.equal(burst.records, steps.length + 6);
    assert.equal(burst.orders.size, 300);
    for (const exp of burst.orders.values()) {
      const stored = sim.getOrder(exp.orderId);
      assert.equal(stored?.version, exp.version);
      assert.equal(stored?.status, exp.status);
      assert.deepEqual(stored?.items, exp.items);
    }
  });

  it('publishes at a steady rate', async () => {
    const steps = generateTraffic({ orders: 20, seed: 12, idPrefix: 'tr-', window: 5 }).slice(0, 40);
    steady = await runTraffic({
      producer, writer: inProcessWriter(sim), topic, env: 'test', steps, mode: { kind: 'rate', perSecond: 100 },
    });
    assert.equal(steady.records, 40);
    // 40 records at 100/s: the last one is due 390 ms after the first (a busy machine only adds)
    assert.ok(steady.durationMs >= 380, `took ${steady.durationMs} ms`);
  });

  it('stops a rate run at its duration', async () => {
    const steps = generateTraffic({ orders: 100, seed: 13, idPrefix: 'td-' });
    const r = await runTraffic({
      producer, writer: inProcessWriter(sim), topic, env: 'test', steps, mode: { kind: 'rate', perSecond: 50, durationMs: 300 },
    });
    // 300 ms at 50/s is 15 records at most (+1 at the edge); a slow producer publishes fewer, but
    // the run still ends at its duration, long before the 100 orders' steps are used up
    assert.ok(r.records >= 1 && r.records <= 17, `published ${r.records}`);
    assert.ok(r.records < steps.length);
    steady = { ...steady, records: steady.records + r.records };
  });

  it('consumes back: keys are order ids, env header, per-order versions in order', async () => {
    const got = await consumeAll(burst.records + steady.records);
    const partitionOf = new Map<string, number>();
    const lastVersion = new Map<string, number>();
    const faults = new Map(burst.injected.map((f) => [f.key, f]));
    for (const rec of got) {
      const fault = faults.get(rec.key);
      if (fault !== undefined) {
        assert.equal(rec.value, fault.value);
        assert.equal(rec.env, fault.kind === 'wrong_env' ? 'prod' : 'test');
        continue;
      }
      const event = JSON.parse(rec.value) as OrderEvent;
      assert.equal(rec.key, event.orderId);
      assert.equal(rec.env, 'test');
      assert.ok(event.version > (lastVersion.get(event.orderId) ?? 0), `versions in order for ${event.orderId}`);
      lastVersion.set(event.orderId, event.version);
      assert.equal(partitionOf.get(event.orderId) ?? rec.partition, rec.partition, 'one order, one partition');
      partitionOf.set(event.orderId, rec.partition);
    }
    assert.equal(new Set(got.map((g) => g.partition)).size, 4, 'spread over all partitions');
    for (const exp of burst.orders.values()) assert.equal(lastVersion.get(exp.orderId), exp.version);
    assert.deepEqual(new Set(burst.injected.map((f) => f.kind)), new Set(['not_json', 'missing_fields', 'key_mismatch', 'bad_version', 'wrong_env']));
  });
});

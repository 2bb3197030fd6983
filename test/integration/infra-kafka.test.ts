// The local broker round-trips records with keys and headers, plain and gzip-compressed (the order
// system's producers compress with gzip, which kafkajs decodes without extra codecs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompressionTypes, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { createTopic, deleteTopic, kafkaClient, producer, randomTopic } from '../support/kafka';

const topic = randomTopic('infra');
let prod: Producer;
let consumer: Consumer;
const waiting = new Map<string, (m: KafkaMessage) => void>();

before(async () => {
  await createTopic(topic, 4);
  prod = await producer();
  consumer = kafkaClient('kds-test-consumer').consumer({ groupId: `${topic}_g` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const key = message.key?.toString() ?? '';
      waiting.get(key)?.(message);
      return Promise.resolve();
    },
  });
});

after(async () => {
  await consumer?.disconnect();
  await prod?.disconnect();
  await deleteTopic(topic).catch(() => undefined);
});

function received(key: string, timeoutMs = 30_000): Promise<KafkaMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no record with key ${key} in ${timeoutMs} ms`)), timeoutMs);
    waiting.set(key, (m) => {
      clearTimeout(timer);
      waiting.delete(key);
      resolve(m);
    });
  });
}

for (const [label, compression] of [
  ['plain', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
] as const) {
  test(`${label} record arrives with key, value and headers`, async () => {
    const key = `order-${label}-${Date.now()}`;
    const value = JSON.stringify({ eventId: `e-${label}`, text: 'x'.repeat(2000) });
    const arrival = received(key);
    await prod.send({
      topic,
      compression,
      messages: [{ key, value, headers: { eventType: 'OrderCreated', source: Buffer.from('test') } }],
    });
    const m = await arrival;
    assert.equal(m.key?.toString(), key);
    assert.equal(m.value?.toString(), value);
    assert.equal(m.headers?.eventType?.toString(), 'OrderCreated');
    assert.equal(m.headers?.source?.toString(), 'test');
  });
}

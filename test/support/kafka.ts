// Kafka helpers for integration tests: a random topic per test file (kafkajs' own test habit),
// created up front so producers and consumers never race topic auto-creation.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { KAFKA_BROKERS } from './infra';

export function kafkaClient(clientId = 'kds-test'): Kafka {
  return new Kafka({ clientId, brokers: [...KAFKA_BROKERS], logLevel: logLevel.ERROR });
}

/** randomTopic('order') → e.g. `test_order_3f9a1c2b4d5e6f70`: always starts with `test_`, the env prefix tests run as. */
export function randomTopic(prefix = 'test'): string {
  const base = prefix === 'test' || prefix.startsWith('test_') ? prefix : `test_${prefix}`;
  return `${base}_${randomBytes(8).toString('hex')}`;
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient('kds-test-admin').admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the topic and waits until its partitions have leaders. */
export async function createTopic(topic: string, partitions = 4): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  });
}

export async function deleteTopic(topic: string): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics: [topic], timeout: 10_000 }));
}

/** A connected producer; the caller disconnects it (register it with the test's after hook). */
export async function producer(): Promise<Producer> {
  const p = kafkaClient('kds-test-producer').producer({ allowAutoTopicCreation: false });
  await p.connect();
  return p;
}

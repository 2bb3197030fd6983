// The two reference consumers the KDS is compared with: kafkajs with a no-op handler (the ceiling
// of the client itself) and the original design (eachMessage: one record at a time per
// partition, the same processor and database writes as the KDS).
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Pool } from '../../src/db/pool';
import { decodeRecord } from '../../src/events/decode';
import { createOrderServiceClient } from '../../src/order-service/client';
import { createCallGate } from '../../src/order-service/limiter';
import { createEventProcessor } from '../../src/pipeline/process-event';
import { createUnitOfWork } from '../../src/changes/unit-of-work';

export interface RawRun {
  records: number;
  seconds: number;
  perSecond: number;
}

async function consumeAll(
  kafka: Kafka,
  topic: string,
  total: number,
  partitions: number,
  handle: (value: Buffer | null, key: Buffer | null, headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>) => Promise<void>,
): Promise<RawRun> {
  const consumer = kafka.consumer({ groupId: `${topic}_raw_${randomBytes(3).toString('hex')}`, maxBytesPerPartition: 512 * 1024 });
  let seen = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachMessage: async ({ message }) => {
      if (seen === 0) first = performance.now();
      await handle(message.value, message.key, message.headers ?? {});
      seen += 1;
      last = performance.now();
      if (seen === total) done();
    },
  });
  await finished;
  await consumer.disconnect();
  const seconds = (last - first) / 1000;
  return { records: seen, seconds, perSecond: (seen - 1) / seconds };
}

/** kafkajs alone: eachMessage that does nothing. */
export function noopConsumer(kafka: Kafka, topic: string, total: number, partitions: number): Promise<RawRun> {
  return consumeAll(kafka, topic, total, partitions, () => Promise.resolve());
}

/** The original design: eachMessage, one record at a time per partition, same processor. */
export function originalDesign(kafka: Kafka, topic: string, total: number, partitions: number, pool: Pool, orderServiceUrl: string, env: string): Promise<RawRun> {
  // The gate is there because the client needs one; its caps never bind at `partitions` calls.
  const gate = createCallGate({ maxConcurrent: 64, maxPerSecond: 5000 });
  const orders = createOrderServiceClient({ baseUrl: orderServiceUrl, timeoutMs: 5000, gate });
  const process = createEventProcessor({
    pool, orders, work: createUnitOfWork({ pool, notifier: { changed: () => undefined } }), retry: { maxAttempts: 7, delayMs: () => 0 },
  });
  return consumeAll(kafka, topic, total, partitions, async (value, key, headers) => {
    const decoded = decodeRecord({ key, value, headers }, env);
    if (!decoded.ok) throw new Error(`bench data must be valid: ${decoded.reason}`);
    await process({ event: decoded.event, raw: (value as Buffer).toString('utf8'), source: null });
  });
}

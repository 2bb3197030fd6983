// The guarantee-free reference pipeline of the `cost` scenario, in its own process (so /proc
// gives its CPU alone): kafkajs eachBatch per partition, the same order-service reads as the KDS
// (64 in flight, the same node:http client and gate), and one multi-row upsert of orders and one
// of dishes per batch. No per-order order, no retry table, no version check before the read, no
// change log, no merchant seqs, no stats, no tickets: what "just store the answers" costs.
// Started by bench/scenarios/cost.ts with the settings in its environment; offsets are committed
// by kafkajs after each batch (the scenario times the drain by them).
import mysql from 'mysql2/promise';
import { decodeRecord } from '../src/events/decode';
import { createKafka } from '../src/kafka/client';
import { silentLogger } from '../src/log';
import { createOrderServiceClient } from '../src/order-service/client';
import type { OrderDetails } from '../src/order-service/details';
import { createCallGate } from '../src/order-service/limiter';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`reference: ${k} missing`);
  return v;
};

const IN_FLIGHT = 64;
const UPSERT_ORDERS = `INSERT INTO orders (order_id, merchant_id, table_no, status, version, placed_at, upstream_updated_at, updated_at)
VALUES ? ON DUPLICATE KEY UPDATE status = IF(VALUES(version) > version, VALUES(status), status), version = GREATEST(version, VALUES(version))`;
const UPSERT_DISHES = `INSERT INTO dishes (item_id, order_id, merchant_id, dish_id, name, quantity, station, note, upstream_status, upstream_version, placed_at, updated_at)
VALUES ? ON DUPLICATE KEY UPDATE upstream_status = IF(VALUES(upstream_version) > upstream_version, VALUES(upstream_status), upstream_status),
upstream_version = GREATEST(upstream_version, VALUES(upstream_version))`;

async function inParallel<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function main(): Promise<void> {
  const pool = mysql.createPool({ uri: env('MYSQL_URL'), connectionLimit: 4, dateStrings: false, timezone: 'Z' });
  const gate = createCallGate({ maxConcurrent: IN_FLIGHT, maxPerSecond: 5000 });
  const orders = createOrderServiceClient({ baseUrl: env('ORDER_SERVICE_URL'), timeoutMs: 5000, gate });
  const kafka = createKafka('bench-reference', env('KAFKA_BROKERS').split(','), silentLogger);
  const consumer = kafka.consumer({ groupId: env('KAFKA_GROUP_ID'), maxBytesPerPartition: 512 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: env('KAFKA_ORDER_TOPIC'), fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: Number(env('PARTITIONS')),
    eachBatch: async ({ batch }) => {
      const ids: string[] = [];
      for (const m of batch.messages) {
        const d = decodeRecord({ key: m.key, value: m.value, headers: m.headers ?? {} }, env('KDS_ENV'));
        if (d.ok) ids.push(d.event.orderId);
      }
      const answers: OrderDetails[] = await inParallel(ids, IN_FLIGHT, (id) => orders.fetchOrder(id));
      const now = new Date();
      if (answers.length > 0) {
        await pool.query(UPSERT_ORDERS, [answers.map((o) => [o.orderId, o.merchantId, o.tableNo, o.status, o.version, o.placedAt, o.updatedAt, now])]);
        const dishes = answers.flatMap((o) => o.items.map((i) => [
          i.itemId, o.orderId, o.merchantId, i.dishId, i.name, i.quantity, i.station, i.note, i.status, o.version, o.placedAt, now,
        ]));
        if (dishes.length > 0) await pool.query(UPSERT_DISHES, [dishes]);
      }
    },
  });
  process.stdout.write('reference consuming\n');
  const stop = (): void => {
    void consumer.disconnect().then(() => pool.end()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`reference: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

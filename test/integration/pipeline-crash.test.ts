// The service killed with SIGKILL in the middle of a stream, then restarted: every event's effect
// is present exactly once, and the restart resumes from committed offsets.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { generateTraffic } from '../../simulator/scenario';
import { inProcessWriter } from '../../simulator/admin-client';
import { runTraffic } from '../../simulator/traffic';
import { freshDatabase, type TestDb } from '../support/db';
import { createTopic, kafkaClient, producer, randomTopic } from '../support/kafka';
import { count } from '../support/orders';
import { testEnv } from '../support/service';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');

function startChild(env: Record<string, string>, logName: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(ROOT, '.cache', 'test-logs', logName));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function groupStable(groupId: string): Promise<void> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    await waitFor('the consumer group to be stable', async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable';
    }, 30_000, 200);
  } finally {
    await admin.disconnect();
  }
}

describe('crash safety', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let child: ChildProcess | undefined;
  const topic = randomTopic('test_order');
  const groupId = `test_kds_crash_${Date.now()}`;

  before(async () => {
    await mkdir(path.join(ROOT, '.cache', 'test-logs'), { recursive: true });
    db = await freshDatabase('crash');
    sim = await createOrderServiceSimulator();
    sim.setGlobal({ latencyMs: { min: 1, max: 8 } });
    await createTopic(topic, 4);
  });

  after(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    await sim?.close();
    await db?.drop();
  });

  it('loses nothing and applies nothing twice when killed mid-stream', async () => {
    // a short session so the broker gives the killed member's partitions away quickly
    const env = testEnv({ dbUrl: db.url, topic, orderServiceUrl: sim.url, groupId, env: { KAFKA_SESSION_TIMEOUT_MS: '6000' } });
    const steps = generateTraffic({ orders: 250, seed: 7, idPrefix: `K${Date.now() % 100000}-` });
    const prod = await producer();
    child = startChild(env, `${topic}-1.log`);
    await groupStable(groupId);
    let traffic: Awaited<ReturnType<typeof runTraffic>>;
    try {
      const sending = runTraffic({
        producer: prod, writer: inProcessWriter(sim), topic, env: 'test', steps,
        mode: { kind: 'rate', perSecond: 400 },
      });
      // kill once a good part of the stream is applied but not all of it
      await waitFor('some orders applied', async () => (await count(db.pool, 'SELECT COUNT(*) AS n FROM orders')) >= 60, 60_000);
      child.kill('SIGKILL');
      await exited(child);
      traffic = await sending;
    } finally {
      await prod.disconnect();
    }
    const admin = kafkaClient().admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const committedTotal = committed[0]?.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0) ?? 0;
    assert.ok(committedTotal > 0, 'offsets were committed while it ran');
    assert.ok(committedTotal < traffic.records, 'it was killed before the end of the stream');

    child = startChild(env, `${topic}-2.log`);
    const expected = traffic.orders;
    await waitFor('every order at its final version', async () => {
      const [rows] = await db.pool.query<RowDataPacket[]>('SELECT order_id, version, status FROM orders');
      if (rows.length !== expected.size) return false;
      return rows.every((r) => expected.get(String(r.order_id))?.version === Number(r.version));
    }, 120_000);

    for (const [orderId, exp] of expected) {
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT item_id, quantity, upstream_status FROM dishes WHERE order_id = ? ORDER BY item_id', [orderId]);
      assert.deepEqual(
        rows.map((r) => [String(r.item_id), Number(r.quantity), String(r.upstream_status)]),
        [...exp.items].sort((a, b) => (a.itemId < b.itemId ? -1 : 1)).map((i) => [i.itemId, i.quantity, i.status]),
        `dishes of ${orderId}`,
      );
    }
    // exactly once in effect: each applied version of an order is logged once, in increasing order
    const [log] = await db.pool.query<RowDataPacket[]>(
      "SELECT order_id, payload FROM change_log WHERE kind = 'order' ORDER BY merchant_id, seq");
    const seen = new Map<string, number>();
    for (const r of log) {
      const v = (JSON.parse(String(r.payload)) as { version: number }).version;
      const prev = seen.get(String(r.order_id)) ?? 0;
      assert.ok(v > prev, `order ${String(r.order_id)} logged version ${v} after ${prev}`);
      seen.set(String(r.order_id), v);
    }
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE status IN ('PENDING','FAILED')"), 0);
  });
});

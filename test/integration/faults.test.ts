// The fault suite (issue 11): the service under a steady stream with a kitchen screen connected,
// while the servers it depends on are killed, restarted and replaced. Faults go only to servers
// this file starts for itself (a Kafka broker, a ZooKeeper and a second MariaDB on free ports), so
// the test files running beside it are never hit. After each fault, the figures:
//   0 orders lost (every order at the version of its last event), 0 applied twice (one order change
//   logged per version), 0 seq gaps on the screen, the service still running and ready again within
//   30 s of the fault's end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { signToken } from '../../src/auth/token';
import { loadConfig } from '../../src/config';
import { createPool, type Pool } from '../../src/db/pool';
import { createLogger } from '../../src/log';
import { startService, type Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { randomTopic } from '../support/kafka';
import { ownKafka, ownMariaDb, type OwnKafka, type OwnMariaDb } from '../support/own-stack';
import { ownZooKeeper, type OwnZk } from '../support/own-zk';
import { TEST_KEY, testEnv } from '../support/service';
import { ResumingScreen, startStream, type Stream } from '../support/stream';
import { waitFor } from '../support/wait';
import { connectZk, getString } from '../support/zk';

const MERCHANT = 'MFAULT';
/** A fault's end to the service being ready again. */
const READY_WITHIN_MS = 30_000;

describe('faults under a steady stream', { timeout: 600_000 }, () => {
  let kafka: OwnKafka;
  let zk: OwnZk;
  let db: OwnMariaDb;
  let sim: OrderServiceSimulator;
  let service: Service;
  let prod: Producer;
  let pool: Pool;
  let screen: ResumingScreen;
  const topic = randomTopic('test_order');
  const database = 'kds_faults';
  let round = 0;
  let zkRoot = '';
  const recent: string[] = [];

  before(async () => {
    [kafka, zk, db] = await Promise.all([ownKafka(), ownZooKeeper(), ownMariaDb()]);
    await Promise.all([kafka.start(), zk.start(), db.start()]);
    const client = new Kafka({ clientId: 'kds-faults', brokers: [kafka.brokers], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    prod = client.producer({ allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 200 } });
    await prod.connect();
    sim = await createOrderServiceSimulator();
    const env = testEnv({ dbUrl: db.url(database), topic, orderServiceUrl: sim.url, env: {
      KAFKA_BROKERS: kafka.brokers, ZOOKEEPER_CONNECT: zk.connect, KAFKA_SESSION_TIMEOUT_MS: '10000',
    } });
    zkRoot = String(env.ZOOKEEPER_ROOT);
    // the service's last lines are kept, and printed when it does not recover from a fault
    const log = process.env.TEST_LOG
      ? createLogger({ test: 'faults' }, 'debug')
      : createLogger({ test: 'faults' }, 'info', (line) => {
        recent.push(line);
        if (recent.length > 400) recent.shift();
      });
    service = await startService(loadConfig(env), log);
    pool = createPool(db.url(database), 4);
    const tok = signToken({ role: 'kitchen', merchantId: MERCHANT }, TEST_KEY);
    screen = new ResumingScreen((afterSeq) => `ws://127.0.0.1:${service.httpPort}/ws?token=${tok}${afterSeq > 0 ? `&afterSeq=${afterSeq}` : ''}`);
  });

  after(async () => {
    screen?.close();
    await service?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await prod?.disconnect().catch(() => undefined);
    await sim?.close();
    await Promise.all([kafka?.dispose(), zk?.dispose(), db?.dispose()]);
  });

  /** Ready, or throws what /readyz said (the test runs on loopback, so it names what is down). */
  const ready = async (): Promise<boolean> => {
    const r = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
    if (r.status === 200) return true;
    // 429: polled faster than the per-address limit allows; not an answer about readiness
    if (r.status !== 429) throw new Error(`/readyz ${r.status}: ${await r.text()}`);
    return false;
  };

  /** Runs the stream around a fault and checks the figures. */
  async function underStream(fault: () => Promise<void>): Promise<void> {
    round += 1;
    await waitFor('ready before the fault', ready, READY_WITHIN_MS, 500);
    const stream: Stream = startStream(prod, sim, topic, { merchantId: MERCHANT, prefix: `F${round}` });
    await waitFor('the stream flowing', () => stream.sent() >= 10, 20_000);
    await fault();
    // the fault's end to ready again: at most READY_WITHIN_MS, or this wait fails
    await waitFor('ready again after the fault', ready, READY_WITHIN_MS, 500).catch((err: unknown) => {
      console.error(`faults: the service's last log lines:\n${recent.slice(-200).join('\n')}`);
      throw err;
    });
    await new Promise((r) => setTimeout(r, 2000)); // a little more stream after recovery
    await stream.stop();

    // nothing lost: every order of the round at the version of its last event
    const want = [...stream.expected];
    await waitFor(`all ${want.length} orders of round ${round} applied`, async () => {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT order_id, version FROM orders WHERE order_id LIKE ?', [`F${round}-%`]);
      const got = new Map(rows.map((r) => [String(r.order_id), Number(r.version)]));
      return want.every(([id, v]) => got.get(id) === v);
    }, 90_000, 250);
    // nothing applied twice: one order change logged per (order, version)
    const [twice] = await pool.query<RowDataPacket[]>(
      `SELECT order_id, JSON_EXTRACT(payload, '$.version') AS v, COUNT(*) AS n FROM change_log
        WHERE kind = 'order' AND order_id LIKE ? GROUP BY order_id, v HAVING n > 1`,
      [`F${round}-%`],
    );
    assert.deepEqual(twice, [], 'an order version applied twice');
    const [dishes] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dishes WHERE order_id LIKE ?', [`F${round}-%`]);
    assert.equal(Number(dishes[0]?.n), want.length * 2, 'two dishes per order, none doubled');
    // the screen saw every change, in order
    const [seq] = await pool.query<RowDataPacket[]>('SELECT seq FROM merchant_seq WHERE merchant_id = ?', [MERCHANT]);
    await waitFor('the screen caught up', () => screen.lastSeq === Number(seq[0]?.seq), 20_000);
    assert.deepEqual(screen.gaps, [], 'seq gaps on the kitchen screen');
  }

  it('Kafka broker SIGKILLed for 10 s, then restarted', async () => {
    await underStream(async () => {
      await kafka.kill();
      await new Promise((r) => setTimeout(r, 10_000));
      await kafka.start();
    });
  });

  it('MariaDB restarted', async () => {
    await underStream(() => db.restart());
  });

  it('MariaDB SIGKILLed, then started (crash recovery)', async () => {
    await underStream(async () => {
      await db.kill();
      await new Promise((r) => setTimeout(r, 3000));
      await db.start();
    });
  });

  it('ZooKeeper SIGKILLed for 10 s, then restarted with its data', async () => {
    await underStream(async () => {
      await zk.kill();
      await new Promise((r) => setTimeout(r, 10_000));
      await zk.start();
    });
  });

  it('ZooKeeper replaced with an empty one: the service opens a new session and recreates its znodes', async () => {
    await underStream(async () => {
      await zk.stop();
      zk.wipe();
      await zk.start();
    });
    // the live-settings znodes are back (recreated from the last good values)
    const admin = await waitFor('an admin session', () => connectZk(zk.connect, 4000), 30_000, 10);
    try {
      await waitFor('the settings znode recreated', () => getString(admin, `${zkRoot}/settings/order-service.max-concurrency`).catch(() => undefined), 30_000, 200);
    } finally {
      admin.close();
    }
  });
});

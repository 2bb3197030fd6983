// An instance that shuts down gives its share of the order-service rate cap back only once its
// last call is out of the order service's second (docs/scaling.md "Leaving"). Until then the
// others, grown into that share, would add their calls to the leaver's last ones. One service
// (in process) under a steady stream is closed while it is calling; a watch on the members'
// directory times when its znode goes, the simulator when its last read arrived.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { membersPath } from '../../src/cluster/membership';
import { RATE_WINDOW_MS } from '../../src/order-service/limiter';
import type { Service } from '../../src/service';
import { freshDatabase, type TestDb } from '../support/db';
import { createTopic, deleteTopic, producer as makeProducer, randomTopic } from '../support/kafka';
import { startTestService } from '../support/service';
import { startStream } from '../support/stream';
import { waitFor } from '../support/wait';
import { connectZk, removeTree, type Zk } from '../support/zk';

let db: TestDb;
let sim: OrderServiceSimulator;
let prod: Producer;
let zk: Zk;
let service: Service | undefined;
const topic = randomTopic('leave');
const root = `/kds-test/leave_${randomBytes(4).toString('hex')}`;

before(async () => {
  [db, sim, zk] = await Promise.all([freshDatabase('leave'), createOrderServiceSimulator(), connectZk(), createTopic(topic, 2)]);
  prod = await makeProducer();
});

after(async () => {
  await service?.close().catch(() => undefined);
  await prod?.disconnect();
  await sim?.close();
  await removeTree(zk, root).catch(() => undefined);
  zk?.close();
  await db?.drop();
  await deleteTopic(topic).catch(() => undefined);
});

/** Resolves with the time the directory first has no children, watching from now on. */
function whenEmpty(client: Zk, dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const look = (): void => {
      client.w_get_children(dir, () => look()).then((children) => {
        if (children.length === 0) resolve(Date.now());
      }, reject);
    };
    look();
  });
}

test('a leaving instance deletes its member znode only after its last call has left the rate window', async (t) => {
  sim.setGlobal({ latencyMs: { min: 2, max: 6 } });
  ({ service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: sim.url, env: { ZOOKEEPER_ROOT: root } }));
  const dir = membersPath(root);
  await waitFor('the service joined', async () => (await zk.get_children(dir, false).catch(() => [])).length === 1, 30_000);
  const stream = startStream(prod, sim, topic, { merchantId: 'MLEAVE', prefix: `L${Date.now() % 100000}`, everyMs: 20 });
  await waitFor('the service calling', () => sim.stats().calls >= 30, 30_000);

  const gone = whenEmpty(zk, dir);
  const closing = service.close(); // while the stream still runs: calls up to the drain's end
  service = undefined;
  await closing;
  await stream.stop();
  const goneAt = await gone;
  const stats = sim.stats();
  const lastArrival = Date.parse(stats.lastArrivalAt ?? '');
  const gap = goneAt - lastArrival;
  t.diagnostic(`${stats.calls} reads; znode gone ${gap} ms after the last read arrived`);
  // The gate waits RATE_WINDOW_MS from its last start; an arrival trails its start by the
  // network and the loop, which only shortens the gap seen here, so allow 150 ms of that.
  assert.ok(gap >= RATE_WINDOW_MS - 150, `the member znode went ${gap} ms after the last read arrived`);
});

// The ZooKeeper session as a state machine, on a ZooKeeper server of this test's own (never the
// shared one): two instances' live settings, membership and leader latch on one root.
//  - ZooKeeper stopped, its data directory wiped, started again (an ensemble rebuilt): the old
//    session can never come back (the server refuses a client that saw a newer zxid), so each
//    instance declares it LOST after a session timeout and opens a new one; the settings znodes
//    are recreated with the last good values, watches set again, membership and leadership back.
//  - ZooKeeper SIGKILLed and started with its data kept: same outcome, whether the session
//    survived (RECONNECTED) or expired.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startCluster, type Cluster } from '../../src/cluster/cluster';
import { leaderPath } from '../../src/cluster/leader';
import { membersPath } from '../../src/cluster/membership';
import { createLogger, type Logger } from '../../src/log';
import type { Settings } from '../../src/settings/definitions';
import { startTestSettings, type TestSettings } from '../support/settings';
import { ownZooKeeper, type OwnZk } from '../support/own-zk';
import { waitFor } from '../support/wait';
import { connectZk, getString, type Zk } from '../support/zk';

const DEFAULTS: Settings = { processingConcurrency: 64, orderServiceMaxConcurrent: 16, orderServiceMaxPerSecond: 200, retryBatchSize: 100 };
const SESSION_MS = 4000;

interface Instance {
  settings: TestSettings;
  cluster: Cluster;
  lines: Array<Record<string, unknown>>;
}

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: createLogger({}, 'debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
}

let zk: OwnZk;
const root = `/test_zk_lost_${randomBytes(4).toString('hex')}`;
const instances: Instance[] = [];
const maxConc = `${root}/settings/order-service.max-concurrency`;

async function startInstance(): Promise<Instance> {
  const { log, lines } = capture();
  const settings = await startTestSettings({ connect: zk.connect, root, defaults: DEFAULTS, log, sessionTimeoutMs: SESSION_MS, firstSyncWaitMs: 5000 });
  const cluster = startCluster({ session: settings.session, root, log, settleMs: 200 });
  const inst = { settings, cluster, lines };
  instances.push(inst);
  return inst;
}

async function withAdmin<T>(fn: (admin: Zk) => Promise<T>): Promise<T> {
  // Right after a start the server answers `ruok` before it takes sessions, and the C client
  // waits long between refused attempts: a few short tries instead of one long one.
  const admin = await waitFor('admin session', () => connectZk(zk.connect, 4000), 60_000, 10);
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

/** Both instances connected, two members with ranks 0 and 1, exactly one leader, znodes to match. */
async function clusterWhole(what: string): Promise<void> {
  await waitFor(`${what}: connected`, () => instances.every((i) => i.settings.isConnected()), 60_000);
  await waitFor(`${what}: two members, ranks 0 and 1`, () => {
    const ranks = instances.map((i) => i.cluster.membership.view());
    return ranks.every((v) => v?.members === 2) && new Set(ranks.map((v) => v?.rank)).size === 2;
  }, 30_000);
  await waitFor(`${what}: one leader`, () => instances.filter((i) => i.cluster.leader.isLeader()).length === 1, 30_000);
  await withAdmin(async (admin) => {
    await waitFor(`${what}: member and latch znodes`, async () =>
      (await admin.get_children(membersPath(root), false)).length === 2 && (await admin.get_children(leaderPath(root), false)).length === 2, 30_000);
  });
}

/** A change written now reaches both instances: the data watches are set. */
async function watched(value: number): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.set(maxConc, String(value), -1);
    await waitFor(`max-concurrency ${value} applied`, () => instances.every((i) => i.settings.current().orderServiceMaxConcurrent === value), 15_000);
  });
}

before(async () => {
  zk = await ownZooKeeper();
  await zk.start();
});
after(async () => {
  for (const i of instances) {
    await i.cluster.close();
    await i.settings.close();
  }
  await zk.dispose();
});

test('ZooKeeper wiped and replaced: new sessions within seconds, znodes recreated from the last good values, watches, members and leader back', async () => {
  await startInstance();
  await startInstance();
  await clusterWhole('at start');
  await watched(12);
  await withAdmin((admin) => admin.create(`${root}/marker`, 'old data', 0));

  await zk.stop();
  zk.wipe();
  await zk.start();
  await withAdmin(async (admin) => assert.equal(await admin.pathExists(`${root}/marker`, false), false, 'the new server knows nothing of the old data'));
  // the session timeout (LOST) plus a connect: seconds, not minutes (clusterWhole's deadlines)
  await clusterWhole('after the wipe');
  await withAdmin(async (admin) => assert.equal(await getString(admin, maxConc), '12', 'recreated with the last good value, not the default 16'));
  await watched(13);
  for (const i of instances) {
    assert.equal(i.settings.session.sessions(), 2, 'a new session was opened');
    assert.ok(i.lines.some((l) => String(l.msg).startsWith('zookeeper disconnected for a whole session timeout')), 'LOST declared by the client');
  }
});

test('ZooKeeper SIGKILLed and restarted with its data: connected again, one znode per member, watches and leader back', async () => {
  const before = instances.map((i) => i.settings.session.sessions());
  await zk.kill();
  await waitFor('suspended', () => instances.every((i) => !i.settings.isConnected()), 30_000);
  assert.ok(instances.every((i) => !i.cluster.leader.isLeader()), 'nobody leads while it cannot see ZooKeeper');
  assert.ok(instances.every((i) => i.cluster.membership.view()?.members === 2), 'the last view (share) is kept meanwhile');
  await zk.start();
  await clusterWhole('after the restart');
  await watched(14);
  for (const [n, i] of instances.entries()) assert.ok(i.settings.session.sessions() >= (before[n] as number));
});

// Live settings against real ZooKeeper and MySQL: znodes created with the running values when
// missing (existing ones kept), changes applied within seconds through the bound callbacks,
// garbage refused with the last good value kept, and ZooKeeper outages: start without it (last
// good values from MySQL), stop and start it under a running client. The outage tests run their
// own ZooKeeper server on a free port (scripts/infra's launcher), never the shared one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ensureJars } from '../../scripts/infra/fetch';
import { instanceDir, infraSettings, type InfraSettings } from '../../scripts/infra/settings';
import { zookeeper as zkServer } from '../../scripts/infra/zookeeper';
import { createLogger, type Logger } from '../../src/log';
import { createCallGate } from '../../src/order-service/limiter';
import { createKeyedScheduler } from '../../src/pipeline/keyed-scheduler';
import { bindSettings } from '../../src/settings/bind';
import type { Settings } from '../../src/settings/definitions';
import { jobStateLastGood } from '../../src/settings/last-good';
import { startTestSettings, type TestSettings } from '../support/settings';
import { freshDatabase, type TestDb } from '../support/db';
import { ZK_CONNECT } from '../support/infra';
import { freePort } from '../support/ports';
import { connectZk, getString, removeTree, type Zk } from '../support/zk';

const DEFAULTS: Settings = { processingConcurrency: 64, orderServiceMaxConcurrent: 16, orderServiceMaxPerSecond: 200, retryBatchSize: 100 };

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: createLogger({}, 'debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
}

const rootFor = (label: string): string => `/test_settings_${label}_${randomBytes(4).toString('hex')}`;

describe('with the shared ZooKeeper', () => {
  let admin: Zk;
  const roots: string[] = [];
  const open: TestSettings[] = [];
  before(async () => {
    admin = await connectZk();
  });
  after(async () => {
    for (const s of open) await s.close();
    for (const r of roots) await removeTree(admin, r).catch(() => undefined);
    admin.close();
  });

  test('missing znodes are created with the running values; existing ones are kept and applied', async () => {
    const root = rootFor('create');
    roots.push(root);
    await new Promise<void>((res, rej) => admin.mkdirp(`${root}/settings`, (e: Error | null) => (e ? rej(e) : res())));
    await admin.create(`${root}/settings/order-service.max-rps`, '77', 0);
    const settings = await startTestSettings({ connect: ZK_CONNECT, root, defaults: DEFAULTS, log: capture().log });
    open.push(settings);
    assert.equal(settings.isConnected(), true);
    assert.equal(settings.current().orderServiceMaxPerSecond, 77, 'read before start resolved');
    assert.equal(await getString(admin, `${root}/settings/order-service.max-rps`), '77', 'not overwritten');
    assert.equal(await getString(admin, `${root}/settings/processing.concurrency`), '64');
    assert.equal(await getString(admin, `${root}/settings/order-service.max-concurrency`), '16');
    assert.equal(await getString(admin, `${root}/settings/retry.batch-size`), '100');
  });

  test('changes reach the scheduler and the gate within seconds, every time (watches re-armed)', async () => {
    const root = rootFor('change');
    roots.push(root);
    const settings = await startTestSettings({ connect: ZK_CONNECT, root, defaults: DEFAULTS, log: capture().log });
    open.push(settings);
    const scheduler = createKeyedScheduler(1);
    const gate = createCallGate({ maxConcurrent: 1, maxPerSecond: 1 });
    bindSettings(settings, { scheduler, gate });
    assert.equal(scheduler.limit(), 64);
    for (const [conc, rps] of [[8, 50], [32, 400], [4, 10]] as const) {
      await admin.set(`${root}/settings/order-service.max-concurrency`, String(conc), -1);
      await admin.set(`${root}/settings/order-service.max-rps`, String(rps), -1);
      await admin.set(`${root}/settings/processing.concurrency`, String(conc * 4), -1);
      await waitFor('limits applied', () => gate.limits().maxPerSecond === rps && scheduler.limit() === conc * 4);
      assert.equal(gate.limits().maxConcurrent, conc);
    }
    await admin.set(`${root}/settings/retry.batch-size`, '250', -1);
    await waitFor('retry batch size', () => settings.current().retryBatchSize === 250, 5000);
  });

  test('garbage in a znode is refused with a log line; the last good value stays; the next good one applies', async () => {
    const root = rootFor('garbage');
    roots.push(root);
    const { log, lines } = capture();
    const settings = await startTestSettings({ connect: ZK_CONNECT, root, defaults: DEFAULTS, log });
    open.push(settings);
    const path = `${root}/settings/order-service.max-concurrency`;
    await admin.set(path, '20', -1);
    await waitFor('good value', () => settings.current().orderServiceMaxConcurrent === 20);
    const garbage = ['abc', '-3', '0', '1000', '12.5', '', '{"v":5}'];
    for (const [i, bad] of garbage.entries()) {
      await admin.set(path, bad, -1);
      await waitFor(`refusal of ${JSON.stringify(bad)}`, () => settings.refusals().orderServiceMaxConcurrent === i + 1);
      assert.equal(settings.current().orderServiceMaxConcurrent, 20, `still 20 after ${JSON.stringify(bad)}`);
    }
    const refused = lines.filter((l) => l.msg === 'setting refused; keeping the last good value');
    assert.equal(refused.length, garbage.length);
    assert.equal(refused[0]?.setting, 'order-service.max-concurrency');
    assert.equal(refused[0]?.kept, 20);
    await admin.set(path, '24', -1);
    await waitFor('good value after garbage', () => settings.current().orderServiceMaxConcurrent === 24);
  });

  test('a deleted znode is put back with the running value', async () => {
    const root = rootFor('deleted');
    roots.push(root);
    const settings = await startTestSettings({ connect: ZK_CONNECT, root, defaults: DEFAULTS, log: capture().log });
    open.push(settings);
    const path = `${root}/settings/retry.batch-size`;
    await admin.set(path, '300', -1);
    await waitFor('300', () => settings.current().retryBatchSize === 300);
    await admin.delete_(path, -1);
    await waitFor('re-created', async () => (await admin.pathExists(path, false)) && (await getString(admin, path)) === '300');
    await admin.set(path, '301', -1);
    await waitFor('watched again', () => settings.current().retryBatchSize === 301);
  });
});

describe('with our own ZooKeeper server, stopped and started', () => {
  let own: InfraSettings;
  let connect: string;
  let db: TestDb;
  before(async () => {
    own = { ...infraSettings(), zookeeperPort: await freePort() };
    // `infra:up` reuses servers already answering and then fetches nothing: this test runs its own
    // ZooKeeper from the jars, so it makes sure they are there (a no-op once fetched)
    await ensureJars(own, () => undefined);
    connect = `127.0.0.1:${own.zookeeperPort}`;
    db = await freshDatabase('settings');
  });
  after(async () => {
    await zkServer.stop(own).catch(() => undefined);
    rmSync(instanceDir(own, 'zookeeper'), { recursive: true, force: true });
    await db.drop();
  });

  test('starts while ZooKeeper is down on the last good values from MySQL, then connects by itself', async () => {
    const root = rootFor('outage');
    await jobStateLastGood(db.pool).save(JSON.stringify({ ...DEFAULTS, orderServiceMaxConcurrent: 9, orderServiceMaxPerSecond: 90 }));
    const { log } = capture();
    const settings = await startTestSettings({
      connect, root, defaults: DEFAULTS, log, lastGood: jobStateLastGood(db.pool), sessionTimeoutMs: 4000, firstSyncWaitMs: 1000,
    });
    try {
      // start returned while no ZooKeeper runs (it is started below): it did not wait for one
      assert.equal(settings.isConnected(), false, 'readiness: zookeeper not connected');
      assert.equal(settings.current().orderServiceMaxConcurrent, 9, 'last good from MySQL, not the default 16');
      assert.equal(settings.current().orderServiceMaxPerSecond, 90);

      await zkServer.start(own, () => undefined);
      await waitFor('connected', () => settings.isConnected(), 30_000);
      const admin = await connectZk(connect);
      try {
        const path = `${root}/settings/order-service.max-concurrency`;
        await waitFor('znode created', () => admin.pathExists(path, false));
        assert.equal(await getString(admin, path), '9', 'created with the running (last good) value');
        await admin.set(path, '12', -1);
        await waitFor('change applied', () => settings.current().orderServiceMaxConcurrent === 12);
        await waitFor('saved as last good', async () => ((await jobStateLastGood(db.pool).load()) ?? '').includes('"orderServiceMaxConcurrent":12'));
      } finally {
        admin.close();
      }

      // Stop ZooKeeper under the running client: values stay, readiness says so.
      await zkServer.stop(own);
      await waitFor('disconnected', () => !settings.isConnected(), 30_000);
      assert.equal(settings.current().orderServiceMaxConcurrent, 12, 'last good kept while ZooKeeper is away');

      // Start it again: the client reconnects by itself (same session or a new one) and watches again.
      await zkServer.start(own, () => undefined);
      await waitFor('reconnected', () => settings.isConnected(), 60_000);
      const again = await connectZk(connect);
      try {
        const path = `${root}/settings/order-service.max-concurrency`;
        await waitFor('change after restart applied', async () => {
          await again.set(path, '14', -1);
          return settings.current().orderServiceMaxConcurrent === 14;
        }, 30_000);
        await again.set(`${root}/settings/processing.concurrency`, '100', -1);
        await waitFor('and the next one', () => settings.current().processingConcurrency === 100);
        await removeTree(again, root);
      } finally {
        again.close();
      }
    } finally {
      await settings.close();
    }
  });
});

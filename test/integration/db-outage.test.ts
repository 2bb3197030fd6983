// MariaDB unreachable, as users and callers meet it: the service talks to the database through a
// TCP proxy this file owns, and the proxy is cut (the shared server is never touched). Every query
// path then fails classified 'infrastructure' (the driver's promise, src/db/errors.ts), and the
// HTTP edge answers 503 with Retry-After (src/http-kit/errors.ts `answerOfKind`), never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../../src/auth/token';
import { createPool, inTx, type Pool } from '../../src/db/pool';
import { errorKind } from '../../src/errors';
import type { Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import { freshDatabase, type TestDb } from '../support/db';
import { createTopic, randomTopic } from '../support/kafka';
import { startTestService, TEST_KEY } from '../support/service';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const kindOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (err: unknown) => errorKind(err));

describe('database unreachable', () => {
  let db: TestDb;
  let proxy: TcpProxy;
  let sim: OrderServiceSimulator;
  let service: Service;
  let base: string;
  const kitchen = signToken({ role: 'kitchen', merchantId: 'M0001' }, TEST_KEY);
  const get = (path: string): Promise<Response> => fetch(base + path, { headers: { authorization: `Bearer ${kitchen}` } });

  before(async () => {
    db = await freshDatabase('dboutage');
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
    sim = await createOrderServiceSimulator();
    const topic = randomTopic('test_order');
    await createTopic(topic, 1);
    ({ service } = await startTestService({ dbUrl: proxy.via(db.url), topic, orderServiceUrl: sim.url }));
    base = `http://127.0.0.1:${service.httpPort}`;
  });

  after(async () => {
    proxy?.restore();
    await service?.close();
    await proxy?.close();
    await sim?.close();
    await db?.drop();
  });

  it('every query path of a pool fails as infrastructure; bad data is permanent, bad SQL a bug', async () => {
    const pool: Pool = createPool(proxy.via(db.url), 2);
    try {
      const conn = await pool.getConnection();
      assert.equal(await kindOf(pool.query('SELECT * FROM no_such_table')), 'bug');
      assert.equal(await kindOf(pool.query("INSERT INTO job_state (name, value) VALUES (NULL, 'x')")), 'permanent');
      proxy.cut();
      assert.equal(await kindOf(conn.query('SELECT 1')), 'infrastructure', 'a held connection');
      conn.release();
      assert.equal(await kindOf(pool.query('SELECT 1')), 'infrastructure', 'pool.query');
      assert.equal(await kindOf(pool.execute('SELECT ?', [1])), 'infrastructure', 'pool.execute');
      assert.equal(await kindOf(pool.getConnection()), 'infrastructure', 'getConnection');
      assert.equal(await kindOf(inTx(pool, (c) => c.query('SELECT 1'))), 'infrastructure', 'a transaction');
    } finally {
      proxy.restore();
      await pool.end().catch(() => undefined);
    }
  });

  it('an API call while MariaDB is unreachable gets 503 with Retry-After; served again once it is back', async () => {
    assert.equal((await get('/api/orders/O-none')).status, 404);
    proxy.cut();
    try {
      for (const path of ['/api/orders/O-none', '/api/merchants/M0001/board']) {
        const res = await get(path);
        assert.equal(res.status, 503, path);
        assert.match(res.headers.get('retry-after') ?? '', /^\d+$/, `${path}: Retry-After`);
        assert.equal(((await res.json()) as { error: string }).error, 'unavailable');
      }
      const mark = await fetch(`${base}/api/dishes/I-none/ready`, {
        method: 'POST', headers: { authorization: `Bearer ${kitchen}`, 'content-type': 'application/json' }, body: '{}',
      });
      assert.equal(mark.status, 503, 'a kitchen action (a unit of work)');
      assert.ok(Number(mark.headers.get('retry-after')) > 0);
      assert.ok(proxy.refused() > 0, 'the service did try the database');
    } finally {
      proxy.restore();
    }
    await waitFor('served again', async () => (await get('/api/orders/O-none')).status === 404, 20_000, 200);
  });
});

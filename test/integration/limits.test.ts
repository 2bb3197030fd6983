// Abuse limits over real HTTP and WebSocket: token buckets per token and per address answer 429
// with Retry-After; /metrics and the detail of /readyz are for allowed callers only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RateLimits } from '../../src/limits/limits';
import { freshDatabase, type TestDb } from '../support/db';
import { api, seedOrder, startServer, token, type Running } from '../support/screens';

let db: TestDb;
const servers: Running[] = [];
const OFF = { perMinute: 0, burst: 0 };
const NONE: RateLimits = { apiPerToken: OFF, apiPerAddress: OFF, wsPerToken: OFF, wsPerAddress: OFF };

async function server(opts: Parameters<typeof startServer>[1]): Promise<Running> {
  const s = await startServer(db.pool, opts);
  servers.push(s);
  return s;
}

function upgrade(url: string): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, retryAfter: undefined, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    ws.once('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

async function raw(base: string, path: string, tok?: string): Promise<Response> {
  return fetch(base + path, tok === undefined ? {} : { headers: { authorization: `Bearer ${tok}` } });
}

before(async () => {
  db = await freshDatabase('limits');
  await seedOrder(db.pool, { orderId: 'O1', merchantId: 'M1', dishes: [{ itemId: 'I1' }] });
});

after(async () => {
  for (const s of servers) await s.close();
  await db.drop();
});

describe('API limits', () => {
  it('per token: the burst, then 429 with Retry-After; other tokens are not affected', async () => {
    const s = await server({ limits: { ...NONE, apiPerToken: { perMinute: 6, burst: 3 } } });
    const k = token('kitchen', 'M1');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(s.base, 'GET', '/api/merchants/M1/board', k)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const res = await raw(s.base, '/api/merchants/M1/board', k);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '10', '6 per minute: one every 10 s');
    assert.deepEqual(await res.json(), { error: 'rate_limited', message: 'too many calls with this token; retry after 10 s' });
    assert.equal((await api(s.base, 'GET', '/api/merchants/M1/board', token('waiter', 'M1'))).status, 200);
  });

  it('per address: counted before the token check, so bad tokens are limited too', async () => {
    const s = await server({ limits: { ...NONE, apiPerAddress: { perMinute: 60, burst: 4 } } });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await api(s.base, 'GET', '/api/orders/O1', token('kitchen', 'M1'))).status);
    got.push((await api(s.base, 'GET', '/api/orders/O1', 'not-a-token')).status);
    got.push((await api(s.base, 'GET', '/api/orders/O1')).status);
    got.push((await api(s.base, 'GET', '/api/orders/O1', token('admin'))).status);
    assert.deepEqual(got, [200, 200, 200, 401, 429, 429]);
    // pages and health are not API calls
    assert.equal((await raw(s.base, '/healthz')).status, 200);
  });
});

describe('WebSocket connect limits', () => {
  it('per token: 429 with Retry-After once the burst is spent', async () => {
    const s = await server({ limits: { ...NONE, wsPerToken: { perMinute: 2, burst: 2 } } });
    const k = token('kitchen', 'M1');
    const r = [await upgrade(`${s.wsBase}?token=${k}`), await upgrade(`${s.wsBase}?token=${k}`), await upgrade(`${s.wsBase}?token=${k}`)];
    assert.deepEqual(r.map((x) => x.status), [101, 101, 429]);
    // 2 a minute: the next token in 30 s, less the moments the three connects took
    assert.ok(['29', '30'].includes(r[2]?.retryAfter ?? ''), r[2]?.retryAfter);
    assert.match(r[2]?.body ?? '', /"error":"rate_limited"/);
    assert.equal((await upgrade(`${s.wsBase}?token=${token('waiter', 'M1')}`)).status, 101);
  });

  it('per address: bad tokens spend it too', async () => {
    const s = await server({ limits: { ...NONE, wsPerAddress: { perMinute: 1, burst: 2 } } });
    const r = [
      await upgrade(`${s.wsBase}?token=bad`),
      await upgrade(`${s.wsBase}?token=${token('kitchen', 'M1')}`),
      await upgrade(`${s.wsBase}?token=${token('waiter', 'M1')}`),
    ];
    assert.deepEqual(r.map((x) => x.status), [401, 101, 429]);
    assert.equal(r[2]?.retryAfter, '60');
  });

  it('the defaults let a restaurant of screens behind one address connect at once', async () => {
    const s = await server({});
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => upgrade(`${s.wsBase}?token=${token('kitchen', `M${i}`)}`)));
    assert.ok(results.every((x) => x.status === 101), JSON.stringify(results.filter((x) => x.status !== 101)));
  });
});

describe('/metrics and /readyz', () => {
  const metricsToken = randomBytes(48).toString('base64');
  const down = (): Promise<Record<string, boolean>> => Promise.resolve({ mysql: true, kafka: false, zookeeper: true });

  it('not open to the world: METRICS_TOKEN or an admin token, else 401; readyz says only ready or not', async () => {
    const s = await server({ ops: { allowFrom: [], metricsToken }, readiness: down });
    const anon = await raw(s.base, '/metrics');
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await raw(s.base, '/metrics', token('kitchen', 'M1'))).status, 401);
    assert.equal((await raw(s.base, '/metrics', 'x'.repeat(64))).status, 401);
    const prom = await raw(s.base, '/metrics', metricsToken);
    assert.equal(prom.status, 200);
    assert.match(await prom.text(), /kds_ws_clients/);
    assert.equal((await raw(s.base, '/metrics', token('admin'))).status, 200);

    const ready = await api(s.base, 'GET', '/readyz');
    assert.deepEqual([ready.status, ready.json], [503, { error: 'not_ready', message: 'not ready' }]);
    const detail = await api(s.base, 'GET', '/readyz', metricsToken);
    assert.equal(detail.status, 503);
    assert.deepEqual(detail.json.notReady, ['kafka']);
  });

  it('loopback callers are allowed by default (the host\'s own agents and health checks)', async () => {
    const s = await server({ readiness: down });
    assert.equal((await raw(s.base, '/metrics')).status, 200);
    assert.deepEqual((await api(s.base, 'GET', '/readyz')).json.notReady, ['kafka']);
  });

  it('ready without authorisation is a bare 200', async () => {
    const s = await server({ ops: { allowFrom: [] } });
    const r = await api(s.base, 'GET', '/readyz');
    assert.deepEqual([r.status, r.json], [200, { status: 'ready' }]);
  });
});

// The order-service simulator through real HTTP: every switch, the admin API and the stats.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSimulatorAdminClient } from '../../simulator/admin-client';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import type { OrderBody } from '../../simulator/types';

let sim: OrderServiceSimulator;
let seq = 0;

function order(id: string, version: number, items = 2): OrderBody {
  return {
    orderId: id, merchantId: 'M0001', tableNo: 'A12', status: version > 1 ? 'PAID' : 'PLACED', version,
    placedAt: '2026-11-22T11:58:40.000Z', updatedAt: `2026-11-22T12:0${version}:00.000Z`,
    items: Array.from({ length: items }, (_, i) => ({
      itemId: `${id}-${i + 1}`, dishId: 'D042', name: 'Mapo Tofu 麻婆豆腐', quantity: version,
      station: 'wok', note: 'less spicy 🌶️', status: 'ACTIVE' as const,
    })),
  };
}

/** A fresh order id with versions 1..n already written. */
function seeded(n = 1, items = 2): string {
  const id = `O20261122-${String(++seq).padStart(6, '0')}`;
  for (let v = 1; v <= n; v++) sim.putOrder(order(id, v, items));
  return id;
}

async function get(id: string, timeoutMs = 5000): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${sim.url}/orders/${id}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
}

const version = (body: unknown): unknown => (body as OrderBody).version;

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  sim = await createOrderServiceSimulator();
});
after(async () => {
  await sim.close();
});
beforeEach(() => sim.clearSwitches());

describe('GET /orders/{id}', () => {
  it('answers the contract body and 404 {"error":"not_found"} for unknown orders', async () => {
    const id = seeded(2);
    const ok = await get(id);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(ok.body, order(id, 2));
    const missing = await fetch(`${sim.url}/orders/O-nope`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '{"error":"not_found"}');
  });

  it('staleFirstN older: previous version first, then current; 404 when there is no previous', async () => {
    const id = seeded(3);
    sim.setOrderSwitches(id, { staleFirstN: 2 });
    assert.equal(version((await get(id)).body), 2);
    assert.equal(version((await get(id)).body), 2);
    assert.equal(version((await get(id)).body), 3);
    sim.putOrder(order(id, 4));
    assert.equal(version((await get(id)).body), 3, 'each new version is stale again for its first reads');
    const fresh = seeded(1);
    sim.setOrderSwitches(fresh, { staleFirstN: 1 });
    assert.equal((await get(fresh)).status, 404);
    assert.equal((await get(fresh)).status, 200);
  });

  it('staleFirstN empty: current version without items, then the full body', async () => {
    const id = seeded(2);
    sim.setOrderSwitches(id, { staleFirstN: 1, staleMode: 'empty' });
    const stale = (await get(id)).body as OrderBody;
    assert.equal(stale.version, 2);
    assert.deepEqual(stale.items, []);
    assert.equal(((await get(id)).body as OrderBody).items.length, 2);
  });

  it('notFoundFirstN: 404 for the first N reads of that order only', async () => {
    const id = seeded(1);
    const other = seeded(1);
    sim.setGlobal({ notFoundFirstN: 2 });
    assert.deepEqual([(await get(id)).status, (await get(id)).status, (await get(id)).status], [404, 404, 200]);
    assert.equal((await get(other)).status, 404, 'counted per order');
  });

  it('errorRate 1 answers 500 and 503', async () => {
    const id = seeded(1);
    sim.setGlobal({ errorRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await get(id)).status);
    assert.deepEqual([...statuses].sort(), [500, 503]);
  });

  it('errorStatus 429 on every read, with Retry-After', async () => {
    const id = seeded(1);
    sim.setGlobal({ errorStatus: 429 });
    for (let i = 0; i < 3; i++) {
      const r = await get(id);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
    }
  });

  it('latencyMs fixed and as a range', async () => {
    const id = seeded(1);
    // Lower bounds only (a busy machine adds, never takes away); the fixed and the ranged latency
    // compared with each other in the same run, each the quickest of three reads.
    const quickest = async (): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        assert.equal((await get(id)).status, 200);
        best = Math.min(best, performance.now() - t);
      }
      return best;
    };
    sim.setGlobal({ latencyMs: 120 });
    const fixed = await quickest();
    assert.ok(fixed >= 115, `took ${fixed} ms`);
    sim.setGlobal({ latencyMs: { min: 40, max: 60 } });
    const ranged = await quickest();
    assert.ok(ranged >= 38, `took ${ranged} ms`);
    assert.ok(ranged < fixed, `40-60 ms (${ranged}) is quicker than 120 ms (${fixed})`);
  });

  it('replicaLagMs: a new order 404s until lagMs after its write, then older versions lag too', async () => {
    const id = `O20261122-${String(++seq).padStart(6, '0')}`;
    sim.setOrderSwitches(id, { replicaLagMs: 300 });
    const written = performance.now();
    sim.putOrder(order(id, 1));
    assert.equal((await get(id)).status, 404);
    await until(async () => (await get(id)).status === 200, 'replica to catch up');
    assert.ok(performance.now() - written >= 295);
    sim.putOrder(order(id, 2));
    assert.equal(version((await get(id)).body), 1, 'v2 not replicated yet');
    await until(async () => version((await get(id)).body) === 2, 'v2 to replicate');
  });

  it('resetConnections destroys the socket without an answer', async () => {
    const id = seeded(1);
    sim.setOrderSwitches(id, { resetConnections: true });
    const before = sim.stats().byStatus.reset ?? 0;
    await assert.rejects(get(id), (err: Error) => err instanceof TypeError);
    assert.equal(sim.stats().byStatus.reset, before + 1);
    assert.equal((await get(seeded(1))).status, 200, 'other orders still answer');
  });

  it('hang never answers; the client timeout fires and the read leaves in-flight', async () => {
    const id = seeded(1);
    sim.setOrderSwitches(id, { hang: true });
    const t = performance.now();
    await assert.rejects(get(id, 200), (err: Error) => err.name === 'TimeoutError');
    assert.ok(performance.now() - t >= 190);
    await until(() => sim.stats().inFlight === 0, 'in-flight to drop after the client gave up');
  });

  it('close() ends hanging reads and pending latency timers', async () => {
    const other = await createOrderServiceSimulator();
    other.putOrder(order('O-hang', 1));
    other.putOrder(order('O-slow', 1));
    other.setOrderSwitches('O-hang', { hang: true });
    other.setOrderSwitches('O-slow', { latencyMs: 60_000 });
    // Handlers attached now: both reject while close() is awaited.
    const hanging = assert.rejects(fetch(`${other.url}/orders/O-hang`));
    const slow = assert.rejects(fetch(`${other.url}/orders/O-slow`));
    await until(() => other.stats().inFlight === 2, 'both reads to arrive');
    // a read left hanging would keep close() from resolving (60 s for the slow one, for ever for the hung one)
    await other.close();
    await hanging;
    await slow;
  });

  it('per-order switches override global ones field by field', async () => {
    const a = seeded(1);
    const b = seeded(1);
    sim.setGlobal({ errorStatus: 503 });
    sim.setOrderSwitches(b, { errorStatus: null });
    assert.equal((await get(a)).status, 503);
    assert.equal((await get(b)).status, 200);
  });
});

describe('admin API', () => {
  it('round-trips orders, switches and stats over HTTP', async () => {
    const admin = createSimulatorAdminClient(sim.url);
    const id = `O20261122-${String(++seq).padStart(6, '0')}`;
    await admin.putOrders([order(id, 1), order(id, 2)]);
    assert.deepEqual(await admin.getOrder(id), { order: order(id, 2), versions: [1, 2] });
    assert.equal(await admin.getOrder('O-none'), undefined);
    await admin.setGlobal({ errorStatus: 503 });
    await admin.setOrderSwitches(id, { errorStatus: null, latencyMs: { min: 1, max: 2 } });
    assert.equal((await get(id)).status, 200);
    await admin.clearSwitches();
    await admin.resetStats();
    await get(id);
    const stats = await admin.stats();
    assert.equal(stats.calls, 1);
    assert.deepEqual(stats.perOrder, { [id]: 1 });
    assert.deepEqual(stats.byStatus, { 200: 1 });
  });

  it('rejects bad input with 400/409 and a message', async () => {
    const id = seeded(2);
    const send = async (method: string, path: string, body: string): Promise<[number, string]> => {
      const res = await fetch(`${sim.url}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    const cases: [string, string, string, number, RegExp][] = [
      ['PUT', '/admin/switches', '{"errorRate":2}', 400, /errorRate/],
      ['PUT', '/admin/switches', '{"bogus":true}', 400, /unknown switch/],
      ['PUT', '/admin/switches', 'not json', 400, /not valid JSON/],
      ['POST', '/admin/orders', '{}', 400, /array/],
      ['POST', '/admin/orders', JSON.stringify([{ ...order('X1', 1), version: 0 }]), 400, /version/],
      ['PUT', `/admin/orders/${id}`, JSON.stringify(order('Other', 3)), 400, /differs/],
      ['PUT', `/admin/orders/${id}`, JSON.stringify(order(id, 2)), 409, /must be greater/],
      ['PUT', `/admin/orders/bad%20id`, JSON.stringify(order(id, 3)), 400, /order id/],
    ];
    for (const [method, path, body, status, msg] of cases) {
      const [s, error] = await send(method, path, body);
      assert.equal(s, status, `${method} ${path} ${body}`);
      assert.match(error, msg);
    }
    assert.equal(sim.getOrder(id)?.version, 2);
    assert.throws(() => sim.putOrder(order(id, 1)), /must be greater/);
  });
});

describe('stats', () => {
  it('counts calls by status and per order', async () => {
    sim.resetStats();
    const id = seeded(1);
    await get(id);
    await get(id);
    await get('O-missing');
    const s = sim.stats();
    assert.equal(s.calls, 3);
    assert.deepEqual(s.byStatus, { 200: 2, 404: 1 });
    assert.equal(sim.callsFor(id), 2);
    assert.equal(s.perOrder['O-missing'], 1);
  });

  it('peak concurrency: 10 concurrent slow reads → 10', async () => {
    sim.resetStats();
    const id = seeded(1);
    sim.setGlobal({ latencyMs: 150 });
    const results = await Promise.all(Array.from({ length: 10 }, () => get(id)));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(sim.stats().peakConcurrency, 10);
    assert.equal(sim.stats().inFlight, 0);
  });

  it('peak rps is the busiest sliding second', async () => {
    const id = seeded(1);
    sim.resetStats();
    await Promise.all(Array.from({ length: 30 }, () => get(id)));
    assert.equal(sim.stats().peakRps, 30);
    await until(() => sim.stats().currentRps === 0, 'the first second to pass', 3000);
    await Promise.all(Array.from({ length: 20 }, () => get(id)));
    assert.equal(sim.stats().peakRps, 30, 'two bursts more than a second apart are not added up');
    await Promise.all(Array.from({ length: 15 }, () => get(id)));
    assert.equal(sim.stats().peakRps, 35);
    assert.equal(sim.stats().calls, 65);
  });
});

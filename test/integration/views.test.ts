// What a screen is pushed is what is stored: after every kind of change (the consumer's apply, the
// retry job's apply, a cook's mark, a waiter's serve, both recalls, a bump, rush, added portions, a
// cancellation), each pushed `dish` / `order` frame (and the waiter's `serve` / `pull`) equals, field
// for field, what `GET /api/orders/{id}` answers for that dish / order. Real service (the
// composition root `npm start` uses), real Kafka, MariaDB, ZooKeeper and the order-service simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Producer } from 'kafkajs';
import { signToken, type Role } from '../../src/auth/token';
import type { Service } from '../../src/service';
import { createOrderServiceSimulator, type OrderBody, type OrderServiceSimulator } from '../../simulator/order-service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, publish, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { api, Screen, type Frame } from '../support/screens';
import { startTestService, TEST_KEY } from '../support/service';
import { waitFor } from '../support/wait';

const M = 'M0001';
const tok = (role: Role): string => signToken({ role, merchantId: M }, TEST_KEY);

type Dish = Record<string, unknown> & { itemId: string; orderId: string; state: string; readyAt: string | null; servedAt: string | null };
type Order = Record<string, unknown> & { orderId: string; status: string; version: number; dishes: Dish[] };

describe('pushed frames equal GET /api/orders/{id}', () => {
  let db: TestDb;
  let sim: OrderServiceSimulator;
  let service: Service;
  let prod: Producer;
  let base: string;
  let kitchen: Screen;
  let waiter: Screen;
  const topic = randomTopic('test_views');

  before(async () => {
    db = await freshDatabase('views');
    sim = await createOrderServiceSimulator();
    await createTopic(topic, 1);
    prod = await producer();
    ({ service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: sim.url }));
    base = `http://127.0.0.1:${service.httpPort}`;
    kitchen = new Screen(`ws://127.0.0.1:${service.httpPort}/ws?token=${tok('kitchen')}`);
    waiter = new Screen(`ws://127.0.0.1:${service.httpPort}/ws?token=${tok('waiter')}`);
    await Promise.all([kitchen.opened, waiter.opened]);
    await kitchen.wait((f) => f.some((x) => x.type === 'snapshot'), 'kitchen snapshot');
    await waiter.wait((f) => f.some((x) => x.type === 'snapshot'), 'waiter snapshot');
  });

  after(async () => {
    await kitchen?.close();
    await waiter?.close();
    await service?.close();
    await prod?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  const getOrder = async (orderId: string): Promise<Order | undefined> => {
    const r = await api(base, 'GET', `/api/orders/${orderId}`, tok('kitchen'));
    return r.status === 200 ? (r.json as Order) : undefined;
  };
  const call = async (method: string, path: string, role: Role): Promise<void> => {
    const r = await api(base, method, path, tok(role));
    assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(r.json)}`);
  };
  const lastSeq = (s: Screen): number => s.frames.reduce((m, f) => Math.max(m, f.seq), 0);
  const send = async (b: OrderBody, type: Parameters<typeof eventFor>[1]): Promise<void> => {
    sim.putOrder(b);
    await publish(prod, topic, [record(eventFor(b, type))]);
  };
  const untilStored = (orderId: string, version: number): Promise<Order> =>
    waitFor(`order ${orderId} v${version} applied`, async () => {
      const o = await getOrder(orderId);
      return o !== undefined && o.version >= version ? o : undefined;
    });

  let seen = { kitchen: 0, waiter: 0 };

  /**
   * Waits until both screens have every change committed so far, then checks each row the new
   * frames name against GET: the last `dish` frame of each dish, the last `order` frame of each
   * order, and every waiter call whose seq is its dish's last change. Returns the new frames.
   */
  async function check(step: string): Promise<{ dishes: Map<string, Dish>; orders: Map<string, Order>; calls: Frame[] }> {
    const board = await api(base, 'GET', `/api/merchants/${M}/board`, tok('kitchen'));
    const seq = Number(board.json.seq);
    await kitchen.wait(() => lastSeq(kitchen) >= seq, `${step}: kitchen at seq ${seq}`);
    await waiter.wait(() => lastSeq(waiter) >= seq, `${step}: waiter at seq ${seq}`);
    const fresh = kitchen.frames.slice(seen.kitchen);
    const calls = waiter.frames.slice(seen.waiter).filter((f) => f.type === 'serve' || f.type === 'pull');
    seen = { kitchen: kitchen.frames.length, waiter: waiter.frames.length };

    const dishes = new Map<string, Dish>();
    const dishSeq = new Map<string, number>();
    const orders = new Map<string, Order>();
    for (const f of fresh) {
      if (f.type === 'dish') {
        const d = f.dish as Dish;
        dishes.set(d.itemId, d);
        dishSeq.set(d.itemId, f.seq);
      }
      if (f.type === 'order') {
        const o = f.order as Order;
        orders.set(o.orderId, o);
      }
    }
    assert.ok(dishes.size + orders.size > 0, `${step}: pushed nothing`);
    for (const [itemId, pushed] of dishes) {
      const stored = (await getOrder(pushed.orderId))?.dishes.find((d) => d.itemId === itemId);
      assert.deepEqual(pushed, stored, `${step}: pushed dish ${itemId} is what GET returns`);
    }
    for (const [orderId, pushed] of orders) {
      const got = await getOrder(orderId);
      assert.ok(got, `${step}: order ${orderId} readable`);
      const { dishes: _dishes, ...stored } = got;
      assert.deepEqual(pushed, stored, `${step}: pushed order ${orderId} is what GET returns without its dishes`);
    }
    for (const c of calls) {
      const d = c.dish as Dish;
      if (dishSeq.get(d.itemId) !== c.seq) continue;
      assert.deepEqual(d, dishes.get(d.itemId), `${step}: the waiter's ${c.type} call carries the dish as stored`);
    }
    return { dishes, orders, calls };
  }

  const v1 = body('V1', 1, { status: 'PLACED' });
  const item1 = 'V1-1';
  const item2 = 'V1-2';

  it('pipeline apply (consumer): the order and its dishes', async () => {
    await send(v1, 'ORDER_PLACED');
    await untilStored('V1', 1);
    const { dishes, orders } = await check('apply');
    assert.deepEqual([...dishes.keys()].sort(), [item1, item2]);
    const order = orders.get('V1');
    assert.equal(order?.status, 'PLACED');
    assert.equal(typeof order?.ticketNo, 'number', 'the ticket number issued in the same transaction is pushed');
    assert.equal(order?.rush, false);
  });

  it('mark ready: readyAt pushed, and the serve call', async () => {
    await call('POST', `/api/dishes/${item1}/ready`, 'kitchen');
    const { dishes, calls } = await check('mark ready');
    assert.equal(dishes.get(item1)?.state, 'READY');
    assert.equal(typeof dishes.get(item1)?.readyAt, 'string');
    assert.deepEqual(calls.map((c) => c.type), ['serve']);
  });

  it('serve: servedAt pushed', async () => {
    await call('POST', `/api/dishes/${item1}/served`, 'waiter');
    const { dishes } = await check('serve');
    assert.equal(dishes.get(item1)?.state, 'SERVED');
    assert.equal(typeof dishes.get(item1)?.servedAt, 'string');
  });

  it('waiter recall: servedAt cleared in the frame as in the row', async () => {
    await call('POST', `/api/dishes/${item1}/recall`, 'waiter');
    const { dishes, calls } = await check('waiter recall');
    assert.equal(dishes.get(item1)?.state, 'READY');
    assert.equal(dishes.get(item1)?.servedAt, null);
    assert.equal(typeof dishes.get(item1)?.readyAt, 'string');
    assert.deepEqual(calls.map((c) => c.type), ['serve'], 'back at the pass: a serve call again');
  });

  it('bump: every WAITING dish pushed with its readyAt', async () => {
    await call('POST', '/api/orders/V1/ready', 'kitchen');
    const { dishes } = await check('bump');
    assert.deepEqual([...dishes.keys()], [item2]);
    assert.equal(dishes.get(item2)?.state, 'READY');
    assert.equal(typeof dishes.get(item2)?.readyAt, 'string', 'not the old row\'s null');
  });

  it('kitchen recall: readyAt cleared in the frame as in the row', async () => {
    await call('POST', `/api/dishes/${item2}/recall`, 'kitchen');
    const { dishes } = await check('kitchen recall');
    assert.equal(dishes.get(item2)?.state, 'WAITING');
    assert.equal(dishes.get(item2)?.readyAt, null);
  });

  it('rush: the order pushed as stored', async () => {
    await call('POST', '/api/orders/V1/rush', 'waiter');
    const { orders } = await check('rush');
    assert.equal(orders.get('V1')?.rush, true);
  });

  it('added portions: a quantity raised on a READY dish', async () => {
    const raised = { ...v1, version: 2, status: 'PAID' as const, updatedAt: new Date().toISOString(),
      items: v1.items.map((i) => (i.itemId === item1 ? { ...i, quantity: 3 } : i)) };
    await send(raised, 'ORDER_ITEMS_CHANGED');
    await untilStored('V1', 2);
    const { dishes, orders } = await check('added portions');
    const added = dishes.get(`${item1}_add1`);
    assert.equal(added?.addedTo, item1);
    assert.equal(added?.quantity, 2);
    assert.equal(added?.state, 'WAITING');
    assert.equal(orders.get('V1')?.rush, true, 'the order system\'s change carries the stored rush flag');
    assert.equal(orders.get('V1')?.version, 2);
  });

  it('cancel: every unserved dish CANCELLED, the READY one pulled off the pass', async () => {
    const cancelled = { ...v1, version: 3, status: 'CANCELLED' as const, updatedAt: new Date().toISOString(),
      items: v1.items.map((i) => (i.itemId === item1 ? { ...i, quantity: 3 } : i)) };
    await send(cancelled, 'ORDER_CANCELLED');
    await untilStored('V1', 3);
    const { dishes, orders, calls } = await check('cancel');
    assert.deepEqual([...dishes.values()].map((d) => [d.itemId, d.state]).sort(), [
      [item1, 'CANCELLED'], [`${item1}_add1`, 'CANCELLED'], [item2, 'CANCELLED'],
    ]);
    assert.equal(orders.get('V1')?.status, 'CANCELLED');
    assert.deepEqual(calls.map((c) => [c.type, (c.dish as Dish).itemId]), [['pull', item1]]);
  });

  it('pipeline apply (retry job): an order whose first read failed', async () => {
    const v = body('V2', 1, { status: 'PLACED' });
    sim.setOrderSwitches('V2', { errorStatus: 503 });
    await send(v, 'ORDER_PLACED');
    await waitFor('V2 parked', async () => {
      const r = await api(base, 'GET', '/api/retries?orderId=V2', signToken({ role: 'admin' }, TEST_KEY));
      return Array.isArray(r.json) && r.json.length > 0;
    });
    sim.clearSwitches();
    await untilStored('V2', 1);
    const { dishes, orders } = await check('retry apply');
    assert.deepEqual([...dishes.keys()].sort(), ['V2-1', 'V2-2']);
    assert.equal(orders.get('V2')?.version, 1);
  });

  // The board is read in one statement (src/board/select-board-snapshot.ts), the order by its parts
  // in a transaction: both must say the same, at the seq of the last change.
  it('a new screen\'s snapshot and GET /board equal GET /api/orders/{id} of each order on them, at the last seq', async () => {
    await send(body('V3', 1, { status: 'PLACED', placedAt: new Date(Date.now() - 120_000).toISOString() }), 'ORDER_PLACED');
    await untilStored('V3', 1);
    await call('POST', '/api/dishes/V3-2/ready', 'kitchen');
    await check('V3 placed, its tea ready');
    const board = (await api(base, 'GET', `/api/merchants/${M}/board`, tok('kitchen'))).json as { seq: number; orders: Order[] };
    assert.equal(board.seq, lastSeq(kitchen), 'GET /board is at the last change pushed');
    assert.deepEqual(board.orders.map((o) => o.orderId), ['V3', 'V2'], 'oldest first; V1 is cancelled, so off the board');
    for (const o of board.orders) assert.deepEqual(o, await getOrder(o.orderId), `board order ${o.orderId} is what GET returns`);

    // a new screen's snapshot, of a merchant no screen has asked for yet, so that it is read now
    // (a snapshot read in the last 2 s is sent again, exact at its own older seq: docs/screens.md)
    const M2 = 'M0002';
    const tok2 = signToken({ role: 'kitchen', merchantId: M2 }, TEST_KEY);
    await send(body('W1', 1, { merchantId: M2, status: 'PLACED' }), 'ORDER_PLACED');
    const board2 = await waitFor('W1 on its board', async () => {
      const b = (await api(base, 'GET', `/api/merchants/${M2}/board`, tok2)).json as { seq: number; orders: Order[] };
      return b.orders.length > 0 ? b : undefined;
    });
    assert.deepEqual(board2.orders, [(await api(base, 'GET', '/api/orders/W1', tok2)).json]);
    const late = new Screen(`ws://127.0.0.1:${service.httpPort}/ws?token=${tok2}`);
    try {
      await late.opened;
      await late.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot of a new screen');
      const snap = late.of('snapshot')[0] as Frame & { orders: Order[] };
      assert.equal(snap.seq, board2.seq);
      assert.deepEqual(snap.orders, board2.orders, 'the snapshot is the board');
    } finally {
      await late.close();
    }

    // a station's board: its orders with an open dish there, and only its dishes
    const bar = (await api(base, 'GET', `/api/merchants/${M}/board?station=bar`, tok('kitchen'))).json as { seq: number; orders: Order[] };
    assert.equal(bar.seq, board.seq);
    assert.deepEqual(bar.orders, board.orders.map((o) => ({ ...o, dishes: o.dishes.filter((d) => d.station === 'bar') })));
    const wok = (await api(base, 'GET', `/api/merchants/${M}/board?station=wok`, tok('kitchen'))).json as { orders: Order[] };
    assert.deepEqual(wok.orders.map((o) => o.dishes.map((d) => d.itemId)), [['V3-1'], ['V2-1']]);

    // a merchant without a change yet: an empty board at seq 0
    const other = (await api(base, 'GET', '/api/merchants/M0404/board', signToken({ role: 'kitchen', merchantId: 'M0404' }, TEST_KEY))).json as { seq: number; orders: Order[] };
    assert.deepEqual({ seq: other.seq, orders: other.orders }, { seq: 0, orders: [] });
  });
});

// Issue 19 on a real server and database: every call of the contract's "Kitchen workflows" section.
// Hold and fire by the waiter and by the till, serving a course, the expo's `complete`, batches that
// mark only what fits, the menu and dueAt, channels with and without the order service's optional
// fields, and what screens are pushed. Scheduled fires across restarts: kitchen-workflows-fires.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { parseOrderDetails, type OrderDetails } from '../../src/order-service/details';
import { freshDatabase, type TestDb } from '../support/db';
import { startFiring, workflowRouters, type FiringInstance } from '../support/firing';
import { count } from '../support/orders';
import { api, applyAnswer, Screen, seedOrder, startServer, token, waitUntil, type Running } from '../support/screens';

let db: TestDb;
let srv: Running;
let firing: FiringInstance | undefined;

before(async () => {
  db = await freshDatabase('workflows');
  srv = await startServer(db.pool, {
    // no poller here: the scheduled fires have their own test file
    routersWith: (work) => workflowRouters(db.pool, (firing = startFiring(db.pool, work, '0 0 0 1 1 *'))),
  });
});

after(async () => {
  await firing?.stop();
  await srv?.close();
  await db?.drop();
});

const call = (method: string, path: string, tok: string, body?: unknown) =>
  api(srv.base, method, path, tok, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
const seqOf = (m: string): Promise<number> => count(db.pool, 'SELECT seq AS n FROM merchant_seq WHERE merchant_id = ?', [m]);
type D = { itemId: string; state: string; held: boolean; firedAt: string | null; dueAt: string | null; course: number };
const dishesOf = (j: Record<string, unknown>): D[] => j.dishes as D[];

function upstream(orderId: string, merchantId: string, version: number, items: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): OrderDetails {
  const at = new Date(Date.now() - 60_000).toISOString();
  return parseOrderDetails({
    orderId, merchantId, tableNo: 'A1', status: 'PLACED', version, placedAt: at, updatedAt: new Date().toISOString(),
    items: items.map((i) => ({ dishId: null, quantity: 1, station: 'wok', note: null, status: 'ACTIVE', name: `dish ${String(i.itemId)}`, ...i })),
    ...extra,
  }, orderId);
}

describe('channels', () => {
  it('an older order service (no optional fields) gets the defaults; a newer one its channel, platform and pickup time', async () => {
    await applyAnswer(db.pool, srv.hub, upstream('CH1', 'CHM', 1, [{ itemId: 'CH1a' }]));
    await applyAnswer(db.pool, srv.hub, upstream('CH2', 'CHM', 1, [{ itemId: 'CH2a' }], { tableNo: null }));
    const pickupAt = new Date(Date.now() + 1_200_000).toISOString();
    await applyAnswer(db.pool, srv.hub, upstream('CH3', 'CHM', 1, [{ itemId: 'CH3a' }], { tableNo: 'D9', channel: 'DELIVERY', platform: 'meituan', pickupAt }));
    await applyAnswer(db.pool, srv.hub, upstream('CH4', 'CHM', 1, [{ itemId: 'CH4a' }], { channel: 'DRONE' }));
    const kitchen = token('kitchen', 'CHM');
    const got = async (id: string) => (await call('GET', `/api/orders/${id}`, kitchen)).json;
    assert.deepEqual([(await got('CH1')).channel, (await got('CH1')).platform, (await got('CH1')).pickupAt], ['DINE_IN', null, null]);
    assert.equal((await got('CH2')).channel, 'TAKEAWAY');
    assert.deepEqual([(await got('CH3')).channel, (await got('CH3')).platform, (await got('CH3')).pickupAt], ['DELIVERY', 'meituan', pickupAt]);
    assert.equal((await got('CH4')).channel, 'TAKEAWAY', 'an unknown channel is TAKEAWAY');
    const d = dishesOf(await got('CH1'))[0];
    assert.deepEqual([d?.course, d?.held, d?.firedAt !== null], [1, false, true], 'course 1, not held, fired when placed');

    const board = await call('GET', '/api/merchants/CHM/pickup', token('manager', 'CHM'));
    assert.equal(board.status, 200);
    const entries = board.json.orders as Array<{ channel: string; platform: string | null; pickupAt: string | null }>;
    assert.equal((board.json.preparing as unknown[]).length, 3, 'every TAKEAWAY and DELIVERY order, with a table or not; not the dine-in one');
    assert.ok(entries.some((e) => e.channel === 'DELIVERY' && e.platform === 'meituan' && e.pickupAt === pickupAt));

    const screen = new Screen(`${srv.wsBase}?token=${kitchen}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    const snap = screen.of('snapshot')[0]?.orders as Array<{ orderId: string; channel: string; platform: string | null }>;
    assert.equal(snap.find((o) => o.orderId === 'CH3')?.platform, 'meituan', 'the snapshot carries the channel fields');
    await screen.close();
  });
});

describe('hold and fire', () => {
  it('a held course fired by the waiter: held apart (not on the board as waiting), fired with one change each; repeating is harmless', async () => {
    await applyAnswer(db.pool, srv.hub, upstream('HF1', 'HFM', 1, [
      { itemId: 'HF1a', course: 1 }, { itemId: 'HF1b', course: 2, hold: true }, { itemId: 'HF1c', course: 2, hold: true, quantity: 2 },
    ]));
    await applyAnswer(db.pool, srv.hub, upstream('HF2', 'HFM', 1, [{ itemId: 'HF2a', course: 2, hold: true }]));
    const waiter = token('waiter', 'HFM');
    const kitchen = token('kitchen', 'HFM');
    const board = await call('GET', '/api/merchants/HFM/board', kitchen);
    assert.deepEqual((board.json.orders as Array<{ orderId: string }>).map((o) => o.orderId), ['HF1'], 'an order with only held dishes is not waiting');
    const allDay = (await call('GET', '/api/merchants/HFM/all-day', kitchen)).json as unknown as Array<{ name: string; waiting: number; held: number }>;
    assert.deepEqual(allDay.find((l) => l.name === 'dish HF1c'), { name: 'dish HF1c', station: 'wok', waiting: 0, ready: 0, held: 2 });

    const screen = new Screen(`${srv.wsBase}?token=${kitchen}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    const seq0 = await seqOf('HFM');
    assert.equal((await call('POST', '/api/orders/HF1/fire?course=2', token('guest', 'HFM', 'HF1'))).status, 403);
    assert.equal((await call('POST', '/api/orders/HF1/fire?course=0', waiter)).status, 400);
    const fired = await call('POST', '/api/orders/HF1/fire?course=2', waiter);
    assert.equal(fired.status, 200);
    const ds = dishesOf(fired.json);
    assert.ok(ds.every((d) => !d.held && d.firedAt !== null), 'every dish of the order fired');
    assert.equal(await seqOf('HFM'), seq0 + 2, 'one change per fired dish');
    await screen.wait((f) => f.filter((x) => x.type === 'dish' && (x.dish as D).held === false && (x.dish as D).course === 2).length === 2, 'pushed fires');
    assert.equal((await call('POST', '/api/orders/HF1/fire?course=2', kitchen)).status, 200);
    assert.equal(await seqOf('HFM'), seq0 + 2, 'repeating changes nothing');

    // hold course 1 again (waiter, not kitchen), then fire the whole order
    assert.equal((await call('POST', '/api/orders/HF1/hold?course=1', kitchen)).status, 403);
    const held = await call('POST', '/api/orders/HF1/hold?course=1', waiter);
    assert.deepEqual(dishesOf(held.json).map((d) => [d.itemId, d.held, d.firedAt === null]), [['HF1a', true, true], ['HF1b', false, false], ['HF1c', false, false]]);
    assert.equal(await seqOf('HFM'), seq0 + 3);
    assert.equal((await call('POST', '/api/orders/HF1/hold?course=1', waiter)).status, 200);
    assert.equal(await seqOf('HFM'), seq0 + 3, 'holding again changes nothing');
    const all = await call('POST', '/api/orders/HF1/fire', token('manager', 'HFM'));
    assert.ok(dishesOf(all.json).every((d) => !d.held));
    await screen.close();
  });

  it('a held course fired by the till (hold turned to false); a later hold=true never takes it back; a replay changes nothing', async () => {
    await applyAnswer(db.pool, srv.hub, upstream('TF1', 'TFM', 1, [{ itemId: 'TF1a' }, { itemId: 'TF1b', course: 2, hold: true }]));
    const kitchen = token('kitchen', 'TFM');
    const before = dishesOf((await call('GET', '/api/orders/TF1', kitchen)).json).find((d) => d.itemId === 'TF1b');
    assert.deepEqual([before?.held, before?.firedAt], [true, null]);
    const seq0 = await seqOf('TFM');
    const t0 = Date.now();
    await applyAnswer(db.pool, srv.hub, upstream('TF1', 'TFM', 2, [{ itemId: 'TF1a' }, { itemId: 'TF1b', course: 2, hold: false }]));
    const after1 = dishesOf((await call('GET', '/api/orders/TF1', kitchen)).json).find((d) => d.itemId === 'TF1b');
    assert.equal(after1?.held, false);
    assert.ok(after1?.firedAt !== null && Date.parse(after1?.firedAt ?? '') >= t0 - 1000, 'fired when the till fired it');
    const [logged] = await db.pool.query<RowDataPacket[]>("SELECT payload FROM change_log WHERE merchant_id = 'TFM' AND seq > ? AND item_id = 'TF1b'", [seq0]);
    assert.equal(logged.length, 1, 'the fire is one dish change');
    assert.equal((JSON.parse(String(logged[0]?.payload)) as D).held, false);

    await applyAnswer(db.pool, srv.hub, upstream('TF1', 'TFM', 3, [{ itemId: 'TF1a' }, { itemId: 'TF1b', course: 2, hold: true }]));
    assert.equal(dishesOf((await call('GET', '/api/orders/TF1', kitchen)).json).find((d) => d.itemId === 'TF1b')?.held, false, 'never back to held');
    const seq1 = await seqOf('TFM');
    await applyAnswer(db.pool, srv.hub, upstream('TF1', 'TFM', 2, [{ itemId: 'TF1a' }, { itemId: 'TF1b', course: 2, hold: false }]));
    assert.equal(await seqOf('TFM'), seq1, 'an older version changes nothing');
  });
});

describe('the pass', () => {
  it('the expo: all stations, rush first, complete when every fired dish is READY or SERVED; served by course', async () => {
    await seedOrder(db.pool, { orderId: 'EX1', merchantId: 'EXM', placedAt: new Date(Date.now() - 300_000), dishes: [
      { itemId: 'EX1a', station: 'wok' }, { itemId: 'EX1b', station: 'cold' }, { itemId: 'EX1c', station: 'grill' },
      { itemId: 'EX1d', station: 'wok', course: 2, held: true },
    ] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'EX2', merchantId: 'EXM', dishes: [{ itemId: 'EX2a', station: 'bar' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'EX3', merchantId: 'EXM', dishes: [{ itemId: 'EX3a', held: true }] }, srv.hub);
    const kitchen = token('kitchen', 'EXM');
    const waiter = token('waiter', 'EXM');
    assert.equal((await call('POST', '/api/orders/EX2/rush', waiter)).status, 200);
    type T = { orderId: string; ready: number; total: number; complete: boolean; dishes: D[] };
    const expo = async (): Promise<T[]> => (await call('GET', '/api/merchants/EXM/expo', waiter)).json as unknown as T[];
    let e = await expo();
    assert.deepEqual(e.map((t) => t.orderId), ['EX2', 'EX1'], 'rush first; an order with only held dishes is not at the pass');
    assert.equal(e[1]?.dishes.length, 4, 'all stations, held dish included');
    assert.deepEqual([e[1]?.ready, e[1]?.total, e[1]?.complete], [0, 3, false]);
    for (const id of ['EX1a', 'EX1b']) assert.equal((await call('POST', `/api/dishes/${id}/ready`, kitchen)).status, 200);
    e = await expo();
    assert.deepEqual([e[1]?.ready, e[1]?.complete], [2, false]);
    assert.equal((await call('POST', '/api/orders/EX1/ready?station=grill', kitchen)).status, 200);
    e = await expo();
    assert.deepEqual([e[1]?.ready, e[1]?.total, e[1]?.complete], [3, 3, true], 'complete: the held course does not count');
    assert.equal((await call('GET', '/api/merchants/EXM/expo', token('guest', 'EXM', 'EX1'))).status, 403);

    const seq0 = await seqOf('EXM');
    assert.equal((await call('POST', '/api/orders/EX1/served?course=2', waiter)).status, 200);
    assert.equal(await seqOf('EXM'), seq0, 'nothing READY in course 2');
    const served = await call('POST', '/api/orders/EX1/served?course=1', waiter);
    assert.deepEqual(dishesOf(served.json).map((d) => d.state), ['SERVED', 'SERVED', 'SERVED', 'WAITING']);
    assert.equal(await seqOf('EXM'), seq0 + 3, 'one change per served dish');
    assert.equal((await call('POST', '/api/orders/EX1/served?course=1', waiter)).status, 200);
    assert.equal(await seqOf('EXM'), seq0 + 3, 'repeating is harmless');
    assert.equal((await call('POST', '/api/orders/EX1/served', kitchen)).status, 403);
    e = await expo();
    assert.deepEqual(e.map((t) => t.orderId), ['EX2'], 'nothing fired left open on EX1');
  });

  it('batches: grouped by dishId and note, rush then oldest; a batch marks only what fits, each a serve call', async () => {
    const old = new Date(Date.now() - 600_000);
    await seedOrder(db.pool, { orderId: 'BA1', merchantId: 'BAM', placedAt: old, dishes: [{ itemId: 'BA1a', dishId: 'KP', name: '宫保鸡丁', quantity: 2 }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'BA2', merchantId: 'BAM', placedAt: new Date(old.getTime() + 1000), dishes: [{ itemId: 'BA2a', dishId: 'KP', name: '宫保鸡丁' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'BA3', merchantId: 'BAM', dishes: [{ itemId: 'BA3a', dishId: 'KP', name: '宫保鸡丁' }, { itemId: 'BA3b', dishId: 'KP', name: '宫保鸡丁', held: true }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'BA4', merchantId: 'BAM', dishes: [{ itemId: 'BA4a', name: 'Rice' }, { itemId: 'BA4b', name: 'Rice', station: 'cold' }] }, srv.hub);
    await db.pool.query("UPDATE dishes SET note = '不要辣' WHERE item_id = 'BA4a'");
    const kitchen = token('kitchen', 'BAM');
    assert.equal((await call('POST', '/api/orders/BA3/rush', kitchen)).status, 200);
    type B = { dishId: string | null; name: string; station: string; note: string | null; portions: number; dishes: Array<{ itemId: string; rush: boolean }> };
    const batches = (await call('GET', '/api/merchants/BAM/batches', kitchen)).json as unknown as B[];
    assert.deepEqual(batches.map((b) => [b.dishId, b.name, b.station, b.note, b.portions]), [
      ['KP', '宫保鸡丁', 'grill', null, 4], [null, 'Rice', 'cold', null, 1], [null, 'Rice', 'grill', '不要辣', 1],
    ]);
    assert.deepEqual(batches[0]?.dishes.map((d) => d.itemId), ['BA3a', 'BA1a', 'BA2a'], 'rush first, then oldest; the held one is not in the batch');
    assert.deepEqual(((await call('GET', '/api/merchants/BAM/batches?station=cold', kitchen)).json as unknown as B[]).map((b) => b.station), ['cold']);

    const screen = new Screen(`${srv.wsBase}?token=${token('waiter', 'BAM')}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    assert.equal((await call('POST', '/api/merchants/BAM/batches/ready', kitchen, { dishId: 'KP', station: 'grill', note: null, portions: 0 })).status, 400);
    assert.equal((await call('POST', '/api/merchants/BAM/batches/ready', kitchen, { station: 'grill', portions: 2 })).status, 400);
    const r = await call('POST', '/api/merchants/BAM/batches/ready', kitchen, { dishId: 'KP', station: 'grill', note: null, portions: 2 });
    assert.equal(r.status, 200);
    const marked = (r.json.marked as D[]).map((d) => [d.itemId, d.state]);
    assert.deepEqual(marked, [['BA3a', 'READY'], ['BA2a', 'READY']], 'BA1a (2 portions) does not fit in the one left; BA2a does');
    await screen.wait((f) => f.filter((x) => x.type === 'serve').length === 2, 'two serve calls');
    const left = (await call('GET', '/api/merchants/BAM/batches', kitchen)).json as unknown as B[];
    assert.deepEqual(left.find((b) => b.dishId === 'KP')?.dishes.map((d) => d.itemId), ['BA1a']);
    const byName = await call('POST', '/api/merchants/BAM/batches/ready', kitchen, { name: 'Rice', station: 'grill', note: '不要辣', portions: 5 });
    assert.deepEqual((byName.json.marked as D[]).map((d) => d.itemId), ['BA4a'], 'by name, same note only');
    assert.equal((await call('POST', '/api/merchants/BAM/batches/ready', token('waiter', 'BAM'), { name: 'Rice', portions: 1 })).status, 403);
    await screen.close();
  });
});

describe('menu, dueAt and fire by prep time', () => {
  it('PUT/GET the menu; dueAt is firedAt plus the target; with fireByPrepTime a shorter dish is scheduled to finish with the longest', async () => {
    const manager = token('manager', 'MNM');
    assert.equal((await call('PUT', '/api/merchants/MNM/menu/LONG', manager, { prepSeconds: 7201 })).status, 400);
    assert.equal((await call('PUT', '/api/merchants/MNM/menu/LONG', manager, { prepSeconds: 600, shortName: 'x'.repeat(17) })).status, 400);
    assert.equal((await call('PUT', '/api/merchants/MNM/menu/LONG', token('kitchen', 'MNM'), { prepSeconds: 600 })).status, 403);
    const put = await call('PUT', '/api/merchants/MNM/menu/LONG', manager, { prepSeconds: 600, shortName: '红烧肉' });
    assert.deepEqual(put.json, { dishId: 'LONG', prepSeconds: 600, shortName: '红烧肉' });
    assert.equal((await call('PUT', '/api/merchants/MNM/menu/SHORT', manager, { prepSeconds: 120 })).status, 200);
    const menu = await call('GET', '/api/merchants/MNM/menu', token('kitchen', 'MNM'));
    assert.deepEqual((menu.json as unknown as Array<{ dishId: string }>).map((e) => e.dishId), ['LONG', 'SHORT']);

    await applyAnswer(db.pool, srv.hub, upstream('MN1', 'MNM', 1, [{ itemId: 'MN1a', dishId: 'LONG' }, { itemId: 'MN1b', dishId: 'SHORT' }]));
    let ds = dishesOf((await call('GET', '/api/orders/MN1', manager)).json);
    for (const d of ds) {
      const prep = d.itemId === 'MN1a' ? 600 : 120;
      assert.equal(Date.parse(d.dueAt ?? '') - Date.parse(d.firedAt ?? ''), prep * 1000, `dueAt of ${d.itemId}`);
    }

    assert.equal((await call('PUT', '/api/merchants/MNM/settings', manager, { fireByPrepTime: 'yes' })).status, 400);
    const set = await call('PUT', '/api/merchants/MNM/settings', manager, { fireByPrepTime: true });
    assert.deepEqual([set.status, set.json.fireByPrepTime, set.json.timeZone], [200, true, 'UTC']);
    await applyAnswer(db.pool, srv.hub, upstream('MN2', 'MNM', 1, [
      { itemId: 'MN2a', dishId: 'LONG', course: 2, hold: true }, { itemId: 'MN2b', dishId: 'SHORT', course: 2, hold: true },
    ]));
    const t0 = Date.now();
    await call('POST', '/api/orders/MN2/fire?course=2', token('waiter', 'MNM'));
    ds = dishesOf((await call('GET', '/api/orders/MN2', manager)).json);
    const long = ds.find((d) => d.itemId === 'MN2a');
    const short = ds.find((d) => d.itemId === 'MN2b');
    assert.equal(long?.held, false);
    assert.deepEqual([short?.held, short?.firedAt], [true, null], 'the short dish waits');
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT due_at FROM scheduled_fires WHERE item_id = 'MN2b'");
    const due = (rows[0]?.due_at as Date).getTime();
    assert.equal(due, Date.parse(long?.firedAt ?? '') + 480_000, 'scheduled longest − own later');
    assert.ok(due >= t0 + 479_000);
    // a second fire does not pull it forward; holding the course drops the scheduled fire
    await call('POST', '/api/orders/MN2/fire?course=2', token('waiter', 'MNM'));
    assert.equal(dishesOf((await call('GET', '/api/orders/MN2', manager)).json).find((d) => d.itemId === 'MN2b')?.held, true);
    await call('POST', '/api/orders/MN2/hold?course=2', token('waiter', 'MNM'));
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM scheduled_fires WHERE order_id = 'MN2'", []), 0);
    await waitUntil(async () => (await call('GET', '/api/orders/MN2', manager)).status === 200, 'order');
  });
});

describe('short names', () => {
  it("the menu's shortName reaches every dish view (GET order, the snapshot, a pushed change) and the batches; null without one", async () => {
    const manager = token('manager', 'SNM');
    const kitchen = token('kitchen', 'SNM');
    assert.equal((await call('PUT', '/api/merchants/SNM/menu/PORK', manager, { prepSeconds: 600, shortName: '红烧肉' })).status, 200);
    await applyAnswer(db.pool, srv.hub, upstream('SN1', 'SNM', 1, [
      { itemId: 'SN1a', dishId: 'PORK', name: '秘制红烧五花肉（大份）' }, { itemId: 'SN1b', dishId: 'RICE', name: 'Rice' }, { itemId: 'SN1c', name: 'Tea' },
    ]));
    type S = { itemId: string; name: string; shortName: string | null };
    const byId = (list: S[]): Record<string, [string, string | null]> => Object.fromEntries(list.map((d) => [d.itemId, [d.name, d.shortName]]));
    const want = { SN1a: ['秘制红烧五花肉（大份）', '红烧肉'], SN1b: ['Rice', null], SN1c: ['Tea', null] };
    assert.deepEqual(byId((await call('GET', '/api/orders/SN1', kitchen)).json.dishes as S[]), want, 'GET /api/orders/{id}');

    const screen = new Screen(`${srv.wsBase}?token=${kitchen}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    const snap = screen.of('snapshot')[0] as unknown as { orders: Array<{ orderId: string; dishes: S[] }> };
    assert.deepEqual(byId(snap.orders.find((o) => o.orderId === 'SN1')?.dishes ?? []), want, 'the snapshot');

    assert.equal((await call('POST', '/api/dishes/SN1a/ready', kitchen)).status, 200);
    await screen.wait((f) => f.some((x) => x.type === 'dish' && (x.dish as S).itemId === 'SN1a'), 'the pushed change');
    const pushed = screen.of('dish').find((x) => (x.dish as S).itemId === 'SN1a')?.dish as S;
    assert.equal(pushed.shortName, '红烧肉', 'a pushed dish frame');
    await call('POST', '/api/dishes/SN1a/recall', kitchen);

    const batches = (await call('GET', '/api/merchants/SNM/batches', kitchen)).json as unknown as Array<{ dishId: string | null; name: string; shortName: string | null }>;
    assert.deepEqual(batches.map((b) => [b.dishId, b.shortName]).sort(), [['PORK', '红烧肉'], ['RICE', null], [null, null]].sort());
    await screen.close();
  });
});

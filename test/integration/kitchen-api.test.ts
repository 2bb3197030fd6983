// The kitchen's calls of issue 13 on a real server and database: recall, bump, rush, all-day,
// pickup, and what screens are pushed (pull, rush, bump with consecutive seqs, added portions).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import type { OrderDetails } from '../../src/order-service/details';
import { freshDatabase, type TestDb } from '../support/db';
import { count } from '../support/orders';
import { api, applyAnswer, Screen, seedOrder, startServer, token, type Frame, type Running } from '../support/screens';

let db: TestDb;
let srv: Running;

before(async () => {
  db = await freshDatabase('kitchen');
  srv = await startServer(db.pool);
});

after(async () => {
  await srv?.close();
  await db?.drop();
});

const post = (path: string, tok: string) => api(srv.base, 'POST', path, tok);
const seqOf = async (merchantId: string): Promise<number> =>
  count(db.pool, 'SELECT seq AS n FROM merchant_seq WHERE merchant_id = ?', [merchantId]);
const stateOf = async (itemId: string): Promise<string> => {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT state FROM dishes WHERE item_id = ?', [itemId]);
  return String(rows[0]?.state);
};

function answer(orderId: string, merchantId: string, version: number, items: Array<[string, number, ('ACTIVE' | 'CANCELLED')?]>, status = 'PLACED'): OrderDetails {
  const at = new Date();
  return {
    orderId, merchantId, tableNo: '5', status, version, placedAt: at, updatedAt: at,
    items: items.map(([itemId, quantity, st]) => ({
      itemId, dishId: null, name: `dish ${itemId}`, quantity, station: 'grill', note: null, status: st ?? 'ACTIVE',
    })),
  };
}

describe('recall', () => {
  it('a cook recalls READY to WAITING, a waiter SERVED to READY; each is recorded with who did it', async () => {
    await seedOrder(db.pool, { orderId: 'RC1', merchantId: 'RCM', dishes: [{ itemId: 'RC1a' }] }, srv.hub);
    const kitchen = token('kitchen', 'RCM');
    const waiter = token('waiter', 'RCM');

    assert.equal((await post('/api/dishes/RC1a/recall', kitchen)).status, 409, 'nothing to recall while WAITING');
    assert.equal((await post('/api/dishes/RC1a/ready', kitchen)).status, 200);
    assert.equal((await post('/api/dishes/RC1a/recall', waiter)).status, 409, 'a waiter cannot undo a READY');
    const back = await post('/api/dishes/RC1a/recall', kitchen);
    assert.equal(back.status, 200);
    assert.equal(back.json.state, 'WAITING');
    assert.equal((await post('/api/dishes/RC1a/recall', kitchen)).status, 409, 'a second recall finds it WAITING');

    assert.equal((await post('/api/dishes/RC1a/ready', kitchen)).status, 200);
    assert.equal((await post('/api/dishes/RC1a/served', waiter)).status, 200);
    assert.equal((await post('/api/dishes/RC1a/recall', kitchen)).status, 409, 'a cook cannot undo a SERVED');
    const unserved = await post('/api/dishes/RC1a/recall', waiter);
    assert.equal(unserved.status, 200);
    assert.equal(unserved.json.state, 'READY');

    const [marks] = await db.pool.query<RowDataPacket[]>(
      'SELECT action, from_state, to_state, role, device_id FROM dish_marks WHERE item_id = ? ORDER BY id', ['RC1a']);
    assert.deepEqual(marks.map((m): unknown[] => [m.action, m.from_state, m.to_state, m.role, m.device_id]), [
      ['READY', 'WAITING', 'READY', 'kitchen', null],
      ['RECALL', 'READY', 'WAITING', 'kitchen', null],
      ['READY', 'WAITING', 'READY', 'kitchen', null],
      ['SERVED', 'READY', 'SERVED', 'waiter', null],
      ['RECALL', 'SERVED', 'READY', 'waiter', null],
    ]);
    const [row] = await db.pool.query<RowDataPacket[]>('SELECT ready_at, served_at FROM dishes WHERE item_id = ?', ['RC1a']);
    assert.ok(row[0]?.ready_at !== null, 'the READY mark stays');
    assert.equal(row[0]?.served_at, null, 'the recalled SERVED mark is forgotten');
  });

  it('answers 401, 403 (role, merchant), 404 and 409 once the window has passed', async () => {
    await seedOrder(db.pool, { orderId: 'RC2', merchantId: 'RCN', dishes: [{ itemId: 'RC2a' }] }, srv.hub);
    assert.equal((await post('/api/dishes/RC2a/recall', token('kitchen', 'RCN'))).status, 409);
    assert.equal((await api(srv.base, 'POST', '/api/dishes/RC2a/recall')).status, 401);
    assert.equal((await post('/api/dishes/RC2a/recall', token('guest', 'RCN', 'RC2'))).status, 403);
    assert.equal((await post('/api/dishes/RC2a/recall', token('kitchen', 'OTHER'))).status, 403);
    assert.equal((await post('/api/dishes/nope/recall', token('kitchen', 'RCN'))).status, 404);

    const strict = await startServer(db.pool, { recallWindowS: 0 });
    try {
      const kitchen = token('kitchen', 'RCN');
      assert.equal((await api(strict.base, 'POST', '/api/dishes/RC2a/ready', kitchen)).status, 200);
      await new Promise((r) => setTimeout(r, 5)); // the mark must be older than the 0 s window
      const late = await api(strict.base, 'POST', '/api/dishes/RC2a/recall', kitchen);
      assert.equal(late.status, 409);
      assert.match(String(late.json.message), /recall window/);
      assert.equal(await stateOf('RC2a'), 'READY');
    } finally {
      await strict.close();
    }
  });

  it('two screens racing a recall and a mark: exactly one wins, one change is logged', async () => {
    const dishes = Array.from({ length: 8 }, (_, i) => ({ itemId: `RR${i}`, state: 'READY' as const }));
    await seedOrder(db.pool, { orderId: 'RR', merchantId: 'RRM', dishes }, srv.hub);
    const kitchen = token('kitchen', 'RRM');
    const waiter = token('waiter', 'RRM');
    const before = await seqOf('RRM');
    for (const d of dishes) {
      const [recall, served] = await Promise.all([
        post(`/api/dishes/${d.itemId}/recall`, kitchen),
        post(`/api/dishes/${d.itemId}/served`, waiter),
      ]);
      const state = await stateOf(d.itemId);
      if (recall.status === 200) {
        assert.equal(served.status, 409, 'served after the recall finds a WAITING dish');
        assert.equal(state, 'WAITING');
      } else {
        assert.equal(recall.status, 409, 'the recall after served finds a SERVED dish');
        assert.equal(served.status, 200);
        assert.equal(state, 'SERVED');
      }
    }
    assert.equal(await seqOf('RRM'), before + dishes.length, 'one change per dish, whoever won');
  });
});

describe('bump a ticket', () => {
  it('marks every WAITING dish of the station READY, one change each with consecutive seqs; repeating is harmless', async () => {
    await seedOrder(db.pool, {
      orderId: 'B1', merchantId: 'BM',
      dishes: [{ itemId: 'B1a' }, { itemId: 'B1b' }, { itemId: 'B1c', station: 'cold' }, { itemId: 'B1d', state: 'READY' }],
    }, srv.hub);
    const waiterScreen = new Screen(`${srv.wsBase}?token=${token('waiter', 'BM')}`);
    await waiterScreen.opened;
    await waiterScreen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    const start = await seqOf('BM');
    const kitchen = token('kitchen', 'BM');

    const r = await post('/api/orders/B1/ready?station=grill', kitchen);
    assert.equal(r.status, 200);
    const shown = r.json.dishes as Array<{ itemId: string; state: string }>;
    assert.deepEqual(shown.map((d) => [d.itemId, d.state]), [['B1a', 'READY'], ['B1b', 'READY'], ['B1d', 'READY']]);
    assert.equal(await stateOf('B1c'), 'WAITING', 'the cold station is not bumped');
    assert.equal(await seqOf('BM'), start + 2);

    await waiterScreen.wait((f) => f.filter((x) => x.type === 'serve').length === 2, 'two serve calls');
    const dishFrames = waiterScreen.of('dish');
    assert.deepEqual(dishFrames.map((f) => f.seq), [start + 1, start + 2]);
    assert.deepEqual(waiterScreen.of('serve').map((f) => f.seq), [start + 1, start + 2], 'serve calls carry their dish seqs');

    const again = await post('/api/orders/B1/ready?station=grill', kitchen);
    assert.equal(again.status, 200);
    assert.equal(await seqOf('BM'), start + 2, 'a repeated bump logs nothing');
    assert.equal((await post('/api/orders/B1/ready', kitchen)).status, 200);
    assert.equal(await stateOf('B1c'), 'READY', 'without a station, the whole order');
    assert.equal(await seqOf('BM'), start + 3);
    const [marks] = await db.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM dish_marks WHERE order_id = 'B1'");
    assert.equal(Number(marks[0]?.n), 3);

    assert.equal((await post('/api/orders/B1/ready', token('waiter', 'BM'))).status, 403);
    assert.equal((await post('/api/orders/B1/ready', token('kitchen', 'XX'))).status, 403);
    assert.equal((await post('/api/orders/nope/ready', kitchen)).status, 404);
    await waiterScreen.close();
  });
});

describe('rush', () => {
  it('sets and clears the flag as an order change; the board lists rush orders first', async () => {
    await seedOrder(db.pool, { orderId: 'U1', merchantId: 'UM', placedAt: new Date(Date.now() - 60_000), dishes: [{ itemId: 'U1a' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'U2', merchantId: 'UM', dishes: [{ itemId: 'U2a' }] }, srv.hub);
    const screen = new Screen(`${srv.wsBase}?token=${token('kitchen', 'UM')}`);
    await screen.opened;
    await screen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    const start = await seqOf('UM');

    const on = await post('/api/orders/U2/rush', token('waiter', 'UM'));
    assert.equal(on.status, 200);
    assert.equal(on.json.rush, true);
    await screen.wait((f) => f.some((x) => x.type === 'order'), 'order change');
    const frame = screen.of('order')[0] as Frame & { order: Record<string, unknown> };
    assert.equal(frame.seq, start + 1);
    const { placedAt, ...rest } = frame.order;
    assert.deepEqual(rest, { orderId: 'U2', merchantId: 'UM', tableNo: 'T1', status: 'PLACED', version: 1, ticketNo: null, rush: true, channel: 'DINE_IN', platform: null, pickupAt: null });
    assert.equal(typeof placedAt, 'string');
    assert.equal((await post('/api/orders/U2/rush', token('kitchen', 'UM'))).status, 200);
    assert.equal(await seqOf('UM'), start + 1, 'rushing a rush order logs nothing');

    const board = await api(srv.base, 'GET', '/api/merchants/UM/board', token('kitchen', 'UM'));
    assert.deepEqual((board.json.orders as Array<{ orderId: string }>).map((o) => o.orderId), ['U2', 'U1']);

    const off = await api(srv.base, 'DELETE', '/api/orders/U2/rush', token('kitchen', 'UM'));
    assert.equal(off.json.rush, false);
    await screen.wait((f) => f.filter((x) => x.type === 'order').length === 2, 'second order change');
    const board2 = await api(srv.base, 'GET', '/api/merchants/UM/board', token('kitchen', 'UM'));
    assert.deepEqual((board2.json.orders as Array<{ orderId: string }>).map((o) => o.orderId), ['U1', 'U2']);
    assert.equal((await post('/api/orders/U2/rush', token('guest', 'UM', 'U2'))).status, 403);
    assert.equal((await post('/api/orders/zz/rush', token('kitchen', 'UM'))).status, 404);
    await screen.close();
  });
});

describe('all-day and pickup', () => {
  it('all-day counts open portions per dish and station, most waiting first', async () => {
    await seedOrder(db.pool, {
      orderId: 'A1', merchantId: 'AM',
      dishes: [{ itemId: 'A1a', name: 'Ramen', quantity: 2 }, { itemId: 'A1b', name: 'Gyoza', quantity: 1 }, { itemId: 'A1c', name: 'Salad', station: 'cold', quantity: 1, state: 'READY' }],
    }, srv.hub);
    await seedOrder(db.pool, {
      orderId: 'A2', merchantId: 'AM',
      dishes: [{ itemId: 'A2a', name: 'Ramen', quantity: 3 }, { itemId: 'A2b', name: 'Gyoza', quantity: 1, state: 'SERVED' }, { itemId: 'A2c', name: 'Gyoza', quantity: 4, state: 'CANCELLED' }],
    }, srv.hub);
    const r = await api(srv.base, 'GET', '/api/merchants/AM/all-day', token('waiter', 'AM'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, [
      { name: 'Ramen', station: 'grill', waiting: 5, ready: 0, held: 0 },
      { name: 'Gyoza', station: 'grill', waiting: 1, ready: 0, held: 0 },
      { name: 'Salad', station: 'cold', waiting: 0, ready: 1, held: 0 },
    ]);
    const cold = await api(srv.base, 'GET', '/api/merchants/AM/all-day?station=cold', token('kitchen', 'AM'));
    assert.deepEqual(cold.json, [{ name: 'Salad', station: 'cold', waiting: 0, ready: 1, held: 0 }]);
    assert.equal((await api(srv.base, 'GET', '/api/merchants/AM/all-day', token('kitchen', 'ZZ'))).status, 403);
  });

  it('pickup moves a take-away number from preparing to ready, and off once collected', async () => {
    await seedOrder(db.pool, { orderId: 'P0001', merchantId: 'PM', tableNo: null, dishes: [{ itemId: 'P1a' }, { itemId: 'P1b' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'P0002', merchantId: 'PM', tableNo: null, dishes: [{ itemId: 'P2a' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'P0003', merchantId: 'PM', tableNo: '9', dishes: [{ itemId: 'P3a' }] }, srv.hub);
    const board = token('admin');
    const lists = (j: Record<string, unknown>) => ({ preparing: j.preparing, ready: j.ready });
    const read = async () => (await api(srv.base, 'GET', '/api/merchants/PM/pickup', board)).json;
    assert.deepEqual(lists(await read()), { preparing: ['0001', '0002'], ready: [] }, 'table orders are not on it');

    assert.equal((await post('/api/dishes/P1a/ready', token('kitchen', 'PM'))).status, 200);
    assert.deepEqual(lists(await read()), { preparing: ['0001', '0002'], ready: [] }, 'one dish of two is not ready');
    assert.equal((await post('/api/orders/P0001/ready', token('kitchen', 'PM'))).status, 200);
    assert.deepEqual(lists(await read()), { preparing: ['0002'], ready: ['0001'] });
    for (const id of ['P1a', 'P1b']) assert.equal((await post(`/api/dishes/${id}/served`, token('waiter', 'PM'))).status, 200);
    assert.deepEqual(lists(await read()), { preparing: ['0002'], ready: [] }, 'collected');
    assert.equal((await api(srv.base, 'GET', '/api/merchants/PM/pickup', token('kitchen', 'PM'))).status, 403, 'board and manager only');
  });
});

describe('what the order system changes reaches the pass and the floor', () => {
  it('a READY dish cancelled upstream is a pull for waiters, with its dish seq; the kitchen gets the dish only', async () => {
    await applyAnswer(db.pool, srv.hub, answer('C1', 'CM', 1, [['C1a', 1], ['C1b', 1]]));
    assert.equal((await post('/api/dishes/C1a/ready', token('kitchen', 'CM'))).status, 200);
    const waiter = new Screen(`${srv.wsBase}?token=${token('waiter', 'CM')}`);
    const kitchen = new Screen(`${srv.wsBase}?token=${token('kitchen', 'CM')}`);
    await Promise.all([waiter.opened, kitchen.opened]);
    await waiter.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
    await kitchen.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');

    await applyAnswer(db.pool, srv.hub, answer('C1', 'CM', 2, [['C1a', 1, 'CANCELLED'], ['C1b', 1, 'CANCELLED']]));
    await waiter.wait((f) => f.some((x) => x.type === 'pull'), 'pull');
    await kitchen.wait((f) => f.filter((x) => x.type === 'dish').length === 2, 'two dish changes');
    const pulls = waiter.of('pull') as Array<Frame & { dish: { itemId: string; state: string } }>;
    assert.deepEqual(pulls.map((p) => [p.dish.itemId, p.dish.state]), [['C1a', 'CANCELLED']], 'the WAITING one is no pull');
    const dishFrame = (waiter.of('dish') as Array<Frame & { dish: { itemId: string } }>).find((f) => f.dish.itemId === 'C1a');
    assert.equal(pulls[0]?.seq, dishFrame?.seq);
    assert.equal(kitchen.of('pull').length, 0);
    await waiter.close();
    await kitchen.close();
  });

  it('a quantity raised on a READY dish sends the added portions back to the kitchen as a WAITING dish', async () => {
    await applyAnswer(db.pool, srv.hub, answer('Q1', 'QM', 1, [['Q1a', 2]]));
    assert.equal((await post('/api/dishes/Q1a/ready', token('kitchen', 'QM'))).status, 200);
    await applyAnswer(db.pool, srv.hub, answer('Q1', 'QM', 2, [['Q1a', 5]]));
    const board = await api(srv.base, 'GET', '/api/merchants/QM/board', token('kitchen', 'QM'));
    const dishes = (board.json.orders as Array<{ dishes: Array<Record<string, unknown>> }>)[0]?.dishes ?? [];
    assert.deepEqual(dishes.map((d) => [d.itemId, d.quantity, d.state, d.addedTo]), [
      ['Q1a', 2, 'READY', undefined],
      ['Q1a_add1', 3, 'WAITING', 'Q1a'],
    ]);
    // the same quantity again is no change; raised again, a second addition
    await applyAnswer(db.pool, srv.hub, answer('Q1', 'QM', 3, [['Q1a', 5]]));
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM dishes WHERE order_id = 'Q1'"), 2);
    await applyAnswer(db.pool, srv.hub, answer('Q1', 'QM', 4, [['Q1a', 6]]));
    assert.equal(await stateOf('Q1a_add2'), 'WAITING');
    // cancelling the item cancels its added portions too
    await applyAnswer(db.pool, srv.hub, answer('Q1', 'QM', 5, [['Q1a', 6, 'CANCELLED']]));
    for (const id of ['Q1a', 'Q1a_add1', 'Q1a_add2']) assert.equal(await stateOf(id), 'CANCELLED', id);
  });
});

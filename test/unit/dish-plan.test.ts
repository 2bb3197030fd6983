import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderDetails } from '../../src/order-service/details';
import { addedItemId, kitchenStateAfter, planDishes, touchOf, type ExistingDish } from '../../src/apply/dish-plan';

describe('kitchenStateAfter', () => {
  const table: [string | undefined, boolean, string][] = [
    [undefined, false, 'WAITING'],
    [undefined, true, 'CANCELLED'],
    ['WAITING', false, 'WAITING'],
    ['READY', false, 'READY'], // re-reading an order never moves a dish backwards
    ['SERVED', false, 'SERVED'],
    ['WAITING', true, 'CANCELLED'],
    ['READY', true, 'CANCELLED'],
    ['SERVED', true, 'SERVED'], // a served dish stays served
    ['CANCELLED', false, 'CANCELLED'],
  ];
  for (const [current, cancelled, expected] of table) {
    it(`${current ?? 'new'} + ${cancelled ? 'cancel' : 'update'} → ${expected}`, () => {
      assert.equal(kitchenStateAfter(current, cancelled), expected);
    });
  }
});

describe('planDishes', () => {
  const at = new Date('2026-11-22T12:00:00Z');
  const details = (over: Partial<OrderDetails> = {}): OrderDetails => ({
    orderId: 'O1', merchantId: 'M1', tableNo: null, status: 'PLACED', version: 2,
    placedAt: at, updatedAt: at,
    items: [
      { itemId: 'I1', dishId: null, name: 'Soup', quantity: 1, station: 'cold', note: null, status: 'ACTIVE' },
      { itemId: 'I2', dishId: null, name: 'Rice', quantity: 2, station: 'wok', note: null, status: 'ACTIVE' },
    ],
    ...over,
  });
  const existing = (over: Partial<ExistingDish>): ExistingDish => ({
    item_id: 'I1', name: 'Soup', quantity: 1, station: 'cold', note: null,
    upstream_status: 'ACTIVE', upstream_version: 1, state: 'READY', ...over,
  });

  it('writes new dishes and only changed existing ones', () => {
    const plan = planDishes(new Map([['I1', existing({})]]), details());
    assert.deepEqual(plan.map((w) => w.itemId), ['I2']);
    assert.equal(plan[0]?.state, 'WAITING');
  });

  it('keeps kitchen state when quantity changes', () => {
    const plan = planDishes(new Map([['I1', existing({ quantity: 3 })]]), details());
    const i1 = plan.find((v) => v.itemId === 'I1');
    assert.equal(i1?.state, 'READY');
    assert.equal(i1?.quantity, 1);
  });

  it('cancels unserved dishes of a cancelled order but not served ones', () => {
    const plan = planDishes(
      new Map([['I1', existing({ state: 'SERVED' })], ['I2', existing({ item_id: 'I2', name: 'Rice', quantity: 2, station: 'wok' })]]),
      details({ status: 'CANCELLED' }),
    );
    assert.deepEqual(plan.map((v) => [v.itemId, v.state]), [['I2', 'CANCELLED']]);
  });

  it('says which writes pull a dish off the pass: a READY one cancelled, nothing else', () => {
    const plan = planDishes(
      new Map([['I1', existing({})], ['I2', existing({ item_id: 'I2', name: 'Rice', quantity: 2, station: 'wok', state: 'WAITING' })]]),
      details({ status: 'CANCELLED' }),
    );
    assert.deepEqual(plan.map((w) => [w.itemId, w.from, w.state, touchOf(w)]), [
      ['I1', 'READY', 'CANCELLED', 'pull'],
      ['I2', 'WAITING', 'CANCELLED', 'dish'],
    ]);
    assert.deepEqual(planDishes(new Map(), details()).map((w) => [w.from, touchOf(w)]), [[null, 'dish'], [null, 'dish']]);
  });

  it('skips dishes already at this version or newer', () => {
    const plan = planDishes(new Map([['I1', existing({ upstream_version: 2, quantity: 9 })]]), details());
    assert.deepEqual(plan.map((w) => w.itemId), ['I2']);
  });

  describe('added portions', () => {
    const only = (over: Partial<OrderDetails['items'][number]>): Partial<OrderDetails> => ({
      items: [{ itemId: 'I1', dishId: null, name: 'Soup', quantity: 1, station: 'cold', note: null, status: 'ACTIVE', ...over }],
    });
    const table: Array<[string, number, number, Array<[string, number, string, string | null]>]> = [
      // state of I1, its stored quantity, the new upstream quantity → writes [itemId, quantity, state, addedTo]
      ['READY', 2, 5, [['I1_add1', 3, 'WAITING', 'I1']]],
      ['SERVED', 1, 2, [['I1_add1', 1, 'WAITING', 'I1']]],
      ['WAITING', 2, 5, [['I1', 5, 'WAITING', null]]],
      ['READY', 3, 1, [['I1', 1, 'READY', null]]],
      ['READY', 2, 2, []],
    ];
    for (const [state, stored, upstream, want] of table) {
      it(`${state} ×${stored} raised to ×${upstream}`, () => {
        const plan = planDishes(new Map([['I1', existing({ state, quantity: stored })]]), details(only({ quantity: upstream })));
        assert.deepEqual(plan.map((v) => [v.itemId, v.quantity, v.state, v.addedTo]), want);
      });
    }

    it('counts earlier additions, numbers the next one after them, cancels them with their item', () => {
      const added = existing({ item_id: 'I1_add1', quantity: 2, state: 'WAITING', added_to: 'I1' });
      const before = new Map([['I1', existing({ quantity: 1 })], ['I1_add1', added]]);
      assert.deepEqual(planDishes(before, details(only({ quantity: 3 }))), [], 'already 1 + 2');
      const more = planDishes(before, details(only({ quantity: 4 })));
      assert.deepEqual(more.map((v) => [v.itemId, v.quantity]), [['I1_add2', 1]]);
      assert.equal(more[0]?.addedTo, 'I1');
      const gone = planDishes(before, details(only({ quantity: 3, status: 'CANCELLED' })));
      assert.deepEqual(gone.map((v) => [v.itemId, v.state]), [['I1', 'CANCELLED'], ['I1_add1', 'CANCELLED']]);
    });

    it('added ids stay within 64 characters and distinct for long item ids', () => {
      const a = addedItemId('x'.repeat(64), 1);
      const b = addedItemId(`${'x'.repeat(63)}y`, 1);
      assert.ok(a.length <= 64 && b.length <= 64);
      assert.notEqual(a, b);
      assert.match(a, /^[A-Za-z0-9_-]+_add1$/);
      assert.equal(addedItemId('I1', 12), 'I1_add12');
    });
  });
});

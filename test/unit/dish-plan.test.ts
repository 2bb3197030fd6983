import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderDetails } from '../../src/order-service/details';
import { kitchenStateAfter, planDishes, type ExistingDish } from '../../src/pipeline/dish-plan';

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
    const plan = planDishes(new Map([['I1', existing({})]]), details(), at);
    assert.deepEqual(plan.writes.map((w) => w.itemId), ['I2']);
    assert.equal(plan.views[0]?.state, 'WAITING');
  });

  it('keeps kitchen state when quantity changes', () => {
    const plan = planDishes(new Map([['I1', existing({ quantity: 3 })]]), details(), at);
    const i1 = plan.views.find((v) => v.itemId === 'I1');
    assert.equal(i1?.state, 'READY');
    assert.equal(i1?.quantity, 1);
  });

  it('cancels unserved dishes of a cancelled order but not served ones', () => {
    const plan = planDishes(
      new Map([['I1', existing({ state: 'SERVED' })], ['I2', existing({ item_id: 'I2', name: 'Rice', quantity: 2, station: 'wok' })]]),
      details({ status: 'CANCELLED' }),
      at,
    );
    assert.deepEqual(plan.views.map((v) => [v.itemId, v.state]), [['I2', 'CANCELLED']]);
  });

  it('skips dishes already at this version or newer', () => {
    const plan = planDishes(new Map([['I1', existing({ upstream_version: 2, quantity: 9 })]]), details(), at);
    assert.deepEqual(plan.writes.map((w) => w.itemId), ['I2']);
  });
});

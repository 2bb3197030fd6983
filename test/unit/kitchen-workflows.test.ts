// Pure rules of issue 19: the order service's optional fields with their defaults, hold and fire
// from upstream (never backwards), and fire by prep time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError } from '../../src/errors';
import { planFire } from '../../src/firing/fire-plan';
import { orderChannel, parseOrderDetails, type OrderDetails } from '../../src/order-service/details';
import { planDishes, type ExistingDish } from '../../src/apply/dish-plan';

const base = {
  orderId: 'O1', merchantId: 'M1', status: 'PLACED', version: 1,
  placedAt: '2026-12-02T11:00:00.000Z', updatedAt: '2026-12-02T11:00:00.000Z',
  items: [{ itemId: 'I1', dishId: 'D1', name: 'Soup', quantity: 1, station: 'wok', note: null, status: 'ACTIVE' }],
};

describe('optional fields of the order service answer', () => {
  const table: Array<[string, Record<string, unknown>, string, string | null, string | null]> = [
    // name, fields, channel, platform, pickupAt
    ['older release, with a table', { tableNo: 'A1' }, 'DINE_IN', null, null],
    ['older release, no table', { tableNo: null }, 'TAKEAWAY', null, null],
    ['delivery', { tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt: '2026-12-02T11:30:00Z' }, 'DELIVERY', 'meituan', '2026-12-02T11:30:00.000Z'],
    ['unknown channel', { tableNo: 'A1', channel: 'DRONE' }, 'TAKEAWAY', null, null],
    ['explicit take-away at a table', { tableNo: 'A1', channel: 'TAKEAWAY' }, 'TAKEAWAY', null, null],
  ];
  for (const [name, fields, channel, platform, pickupAt] of table) {
    it(name, () => {
      const d = parseOrderDetails({ ...base, ...fields }, 'O1');
      const c = orderChannel(d);
      assert.deepEqual([c.channel, c.platform, c.pickupAt?.toISOString() ?? null], [channel, platform, pickupAt]);
    });
  }

  it('items: course defaults to 1 and hold to false; given values are kept', () => {
    const d = parseOrderDetails({ ...base, tableNo: 'A1', items: [
      base.items[0],
      { ...base.items[0], itemId: 'I2', course: 3, hold: true },
    ] }, 'O1');
    assert.deepEqual(d.items.map((i) => [i.course, i.hold]), [[1, false], [3, true]]);
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['a course of 0', { items: [{ ...base.items[0], course: 0 }] }],
    ['a course of 10', { items: [{ ...base.items[0], course: 10 }] }],
    ['a string hold', { items: [{ ...base.items[0], hold: 'yes' }] }],
    ['a platform of 33 chars', { platform: 'x'.repeat(33) }],
    ['an empty platform', { platform: '' }],
    ['a bad pickupAt', { pickupAt: 'soon' }],
    ['a numeric channel', { channel: 3 }],
  ];
  for (const [name, fields] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => parseOrderDetails({ ...base, tableNo: 'A1', ...fields }, 'O1'), PermanentError));
  }
});

describe('fire by prep time', () => {
  const at = new Date('2026-12-02T12:00:00Z');
  it('off: everything fires now, dueAt from each target', () => {
    const d = planFire([{ itemId: 'a', prepSeconds: 600 }, { itemId: 'b', prepSeconds: 120 }, { itemId: 'c', prepSeconds: null }], at, false);
    assert.deepEqual(d.map((x) => [x.itemId, x.kind, x.kind === 'fire' ? x.dueAt?.toISOString() ?? null : null]), [
      ['a', 'fire', '2026-12-02T12:10:00.000Z'], ['b', 'fire', '2026-12-02T12:02:00.000Z'], ['c', 'fire', null],
    ]);
  });
  it('on: the longest fires now, shorter ones longest − own later, no target fires now', () => {
    const d = planFire([{ itemId: 'a', prepSeconds: 600 }, { itemId: 'b', prepSeconds: 120 }, { itemId: 'c', prepSeconds: null }], at, true);
    assert.deepEqual(d.map((x) => [x.itemId, x.kind, x.kind === 'schedule' ? x.fireAt.toISOString() : x.firedAt.toISOString()]), [
      ['a', 'fire', '2026-12-02T12:00:00.000Z'], ['b', 'schedule', '2026-12-02T12:08:00.000Z'], ['c', 'fire', '2026-12-02T12:00:00.000Z'],
    ]);
  });
});

describe('hold and fire from upstream (never backwards)', () => {
  const placed = new Date('2026-12-02T11:00:00Z');
  const now = new Date('2026-12-02T11:05:00Z');
  const details = (version: number, items: Array<{ id: string; course?: number; hold?: boolean; dishId?: string }>): OrderDetails => ({
    orderId: 'O1', merchantId: 'M1', tableNo: 'A1', status: 'PLACED', version, placedAt: placed, updatedAt: now,
    items: items.map((i) => ({
      itemId: i.id, dishId: i.dishId ?? null, name: i.id, quantity: 1, station: 'wok', note: null, status: 'ACTIVE' as const,
      ...(i.course !== undefined ? { course: i.course } : {}), ...(i.hold !== undefined ? { hold: i.hold } : {}),
    })),
  });
  const stored = (id: string, over: Partial<ExistingDish>): ExistingDish => ({
    item_id: id, name: id, quantity: 1, station: 'wok', note: null, upstream_status: 'ACTIVE', upstream_version: 1,
    state: 'WAITING', dish_id: null, course: 1, upstream_hold: 0, held: 0, fired_at: placed, due_at: null, ...over,
  });

  it('a new dish: held when hold is true (firedAt null), else fired at placedAt; the till fires at its updatedAt', () => {
    const p = planDishes(new Map(), details(1, [{ id: 'a' }, { id: 'b', course: 2, hold: true }]));
    assert.deepEqual(p.map((v) => [v.itemId, v.course, v.held, v.firedAt?.toISOString() ?? null]), [
      ['a', 1, false, placed.toISOString()], ['b', 2, true, null],
    ]);
  });

  const table: Array<[string, Partial<ExistingDish>, boolean, boolean, string | null]> = [
    // stored, new hold → held, firedAt
    ['held upstream, till turns hold to false: fired now', { upstream_hold: 1, held: 1, fired_at: null }, false, false, now.toISOString()],
    ['held upstream, still held', { upstream_hold: 1, held: 1, fired_at: null }, true, true, null],
    ['fired, upstream says hold again: stays fired', { upstream_hold: 0, held: 0 }, true, false, placed.toISOString()],
    ['held by the waiter, upstream still false: stays held', { upstream_hold: 0, held: 1, fired_at: null }, false, true, null],
    ['fired by the waiter already, till turns hold to false: keeps its firedAt', { upstream_hold: 1, held: 0, fired_at: placed }, false, false, placed.toISOString()],
    ['held but already READY: not re-fired', { upstream_hold: 1, held: 1, fired_at: null, state: 'READY' }, false, true, null],
  ];
  for (const [name, over, hold, held, firedAt] of table) {
    it(name, () => {
      const p = planDishes(new Map([['a', stored('a', over)]]), details(2, [{ id: 'a', hold }]));
      const w = p.find((x) => x.itemId === 'a');
      if (w === undefined) {
        // nothing upstream changed: not written, so the stored kitchen columns stay
        assert.deepEqual([Number(over.held) === 1, over.fired_at?.toISOString() ?? null], [held, firedAt]);
        return;
      }
      assert.deepEqual([w.held, w.firedAt?.toISOString() ?? null], [held, firedAt]);
    });
  }

  it('an older or equal version changes nothing', () => {
    const p = planDishes(new Map([['a', stored('a', { upstream_hold: 1, held: 1, fired_at: null, upstream_version: 2 })]]), details(2, [{ id: 'a', hold: false }]));
    assert.equal(p.length, 0);
  });

  it('fire by prep time: a course fired by the till finishes together; other courses are apart', () => {
    const targets = { prepSeconds: (d: string | null) => (d === 'LONG' ? 600 : d === 'SHORT' ? 120 : null), byPrepTime: true };
    const before = new Map([
      ['a', stored('a', { upstream_hold: 1, held: 1, fired_at: null, course: 2, dish_id: 'LONG' })],
      ['b', stored('b', { upstream_hold: 1, held: 1, fired_at: null, course: 2, dish_id: 'SHORT' })],
    ]);
    const p = planDishes(before, details(2, [{ id: 'a', course: 2, dishId: 'LONG' }, { id: 'b', course: 2, dishId: 'SHORT' }, { id: 'c', dishId: 'SHORT' }]), targets);
    const iso = (d: Date | null): string | null => d?.toISOString() ?? null;
    assert.deepEqual(p.map((v) => [v.itemId, v.held, iso(v.firedAt), iso(v.dueAt), iso(v.scheduleAt)]), [
      ['a', false, now.toISOString(), new Date(now.getTime() + 600_000).toISOString(), null],
      ['b', true, null, null, new Date(now.getTime() + 480_000).toISOString()],
      ['c', false, placed.toISOString(), new Date(placed.getTime() + 120_000).toISOString(), null],
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError, RetriableError } from '../../src/errors';
import { assertFresh, parseOrderDetails } from '../../src/order-service/details';

const body = {
  orderId: 'O1',
  merchantId: 'M0001',
  tableNo: 'A12',
  status: 'PAID',
  version: 3,
  placedAt: '2026-11-22T11:58:40.000Z',
  updatedAt: '2026-11-22T12:01:02.123Z',
  items: [
    { itemId: 'O1-1', dishId: 'D042', name: 'Kung Pao Chicken', quantity: 2, station: 'wok', note: 'less spicy 🌶️', status: 'ACTIVE' },
    { itemId: 'O1-2', dishId: 'D7', name: 'Tea', quantity: 1, station: null, note: null, status: 'CANCELLED' },
  ],
};

describe('parseOrderDetails', () => {
  it('parses a contract answer', () => {
    const d = parseOrderDetails(body, 'O1');
    assert.equal(d.version, 3);
    assert.equal(d.items.length, 2);
    assert.equal(d.items[0]?.note, 'less spicy 🌶️');
    assert.equal(d.items[1]?.station, null);
    assert.equal(d.placedAt.toISOString(), '2026-11-22T11:58:40.000Z');
  });

  it('accepts the largest note and quantity the columns hold', () => {
    const note = '麻'.repeat(21_845); // 65,535 bytes
    const d = parseOrderDetails({ ...body, items: [{ ...body.items[0], note, quantity: 2 ** 32 - 1 }] }, 'O1');
    assert.equal(d.items[0]?.note, note);
    assert.equal(d.items[0]?.quantity, 4_294_967_295);
  });

  const broken: [string, unknown][] = [
    ['another order', { ...body, orderId: 'O2' }],
    ['no items array', { ...body, items: null }],
    ['bad version', { ...body, version: 0 }],
    ['bad quantity', { ...body, items: [{ ...body.items[0], quantity: 0 }] }],
    ['a quantity beyond the column (INT UNSIGNED)', { ...body, items: [{ ...body.items[0], quantity: 2 ** 32 }] }],
    ['a note over 65,535 bytes of UTF-8 (21,846 CJK characters)', { ...body, items: [{ ...body.items[0], note: '麻'.repeat(21_846) }] }],
    ['bad item status', { ...body, items: [{ ...body.items[0], status: 'GONE' }] }],
    ['bad placedAt', { ...body, placedAt: 'soon' }],
    ['not an object', 'hello'],
  ];
  for (const [name, b] of broken) {
    it(`rejects ${name} as a permanent contract error`, () => {
      assert.throws(() => parseOrderDetails(b, 'O1'), (e: unknown) => e instanceof PermanentError);
    });
  }
});

describe('assertFresh', () => {
  const d = parseOrderDetails(body, 'O1');
  it('accepts the same or a newer version', () => {
    assertFresh(d, 3);
    assertFresh(d, 2);
  });
  it('calls an older version stale', () => {
    assert.throws(() => assertFresh(d, 4), (e: unknown) => e instanceof RetriableError && e.code === 'stale');
  });
  it('calls an answer without items stale unless the order is cancelled', () => {
    const empty = { ...d, items: [] };
    assert.throws(() => assertFresh(empty, 3), (e: unknown) => e instanceof RetriableError && e.code === 'stale');
    assertFresh({ ...empty, status: 'CANCELLED' }, 3);
  });
});

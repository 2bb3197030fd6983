import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickupBoard, pickupPlace, ticketOf, type PickupOrder } from '../../src/board/pickup';

describe('pickup board', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const o = (over: Partial<PickupOrder>): PickupOrder => ({ orderId: 'O', ticket: 1, waiting: 0, ready: 0, served: 0, lastReadyAt: null, ...over });
  const table: Array<[string, Partial<PickupOrder>, string | null]> = [
    ['a dish still cooking', { waiting: 1, ready: 2, lastReadyAt: ago(10) }, 'preparing'],
    ['all cooked', { ready: 2, lastReadyAt: ago(10) }, 'ready'],
    ['cooked, one collected', { ready: 1, served: 1, lastReadyAt: ago(10) }, 'ready'],
    ['all collected', { served: 2, lastReadyAt: ago(10) }, null],
    ['ready for over an hour', { ready: 1, lastReadyAt: ago(3601) }, null],
    ['everything cancelled', {}, null],
  ];
  for (const [what, over, want] of table) {
    it(`${what}: ${String(want)}`, () => assert.equal(pickupPlace(o(over), now), want));
  }

  it('lists preparing in arrival order and ready with the newest last', () => {
    const board = pickupBoard([
      o({ ticket: 1, ready: 1, lastReadyAt: ago(5) }),
      o({ ticket: 2, waiting: 1 }),
      o({ ticket: 3, ready: 1, lastReadyAt: ago(50) }),
      o({ ticket: 4, waiting: 2 }),
    ], now);
    assert.deepEqual({ preparing: board.preparing, ready: board.ready }, { preparing: [2, 4], ready: [3, 1] });
    assert.deepEqual(board.orders.map((o) => [o.ticket, o.place, o.channel]), [[2, 'preparing', 'TAKEAWAY'], [4, 'preparing', 'TAKEAWAY'], [3, 'ready', 'TAKEAWAY'], [1, 'ready', 'TAKEAWAY']]);
  });

  it('shows the ticket number, or the order id tail before one is assigned', () => {
    assert.equal(ticketOf('ORD-000123', 7), 7);
    assert.equal(ticketOf('ORD-000123', null), '0123');
    assert.equal(ticketOf('ORD-000123', undefined), '0123');
  });
});

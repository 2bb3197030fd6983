// Ticket numbers of one reservation (src/tickets/number.ts): each order's place from the end of its
// merchant-day's range, so `counter - fromEnd` numbers the arrivals in the order given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demand, fromEnd, type Placed } from '../../src/tickets/number';

const at = (orderId: string, merchantId: string, localDate: string): Placed => ({
  orderId, merchantId, localDate, placedAt: new Date(0), localHour: 0, hourStart: new Date(0),
});

describe('ticket numbers of one reservation', () => {
  const placed = [
    at('a', 'M1', '2026-12-01'), at('b', 'M2', '2026-12-01'), at('c', 'M1', '2026-12-01'),
    at('d', 'M1', '2026-12-02'), at('e', 'M1', '2026-12-01'),
  ];

  it('numbers each merchant-day in the order given, ending at its counter', () => {
    const offsets = fromEnd(placed);
    // counters after reserving: M1 on the 1st had 7 numbers before (now 10), the others none
    const counter: Record<string, number> = { 'M1 2026-12-01': 10, 'M2 2026-12-01': 1, 'M1 2026-12-02': 1 };
    const numbers = placed.map((p) => (counter[`${p.merchantId} ${p.localDate}`] as number) - (offsets.get(p.orderId) as number));
    assert.deepEqual(numbers, [8, 1, 9, 1, 10]);
  });

  it('reserves one share per merchant-day, in key order (the order its counter rows are locked)', () => {
    assert.deepEqual(demand(placed), [
      { merchantId: 'M1', localDate: '2026-12-01', n: 3 },
      { merchantId: 'M1', localDate: '2026-12-02', n: 1 },
      { merchantId: 'M2', localDate: '2026-12-01', n: 1 },
    ]);
  });

  it('nothing to number, nothing reserved', () => {
    assert.equal(fromEnd([]).size, 0);
    assert.deepEqual(demand([]), []);
  });
});

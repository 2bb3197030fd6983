import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../simulator/prng';
import { expectations, generateOrders, generateTraffic, interleave, type Step } from '../../simulator/scenario';
import { parseOrderBody } from '../../simulator/validate';

const byOrder = (steps: readonly Step[]): Map<string, Step[]> => {
  const m = new Map<string, Step[]>();
  for (const s of steps) m.set(s.event.orderId, [...(m.get(s.event.orderId) ?? []), s]);
  return m;
};

describe('scenario', () => {
  const orders = generateOrders({ orders: 400, seed: 7, merchants: 6, cancelRate: 0.1 });

  it('starts every order with ORDER_PLACED v1 and strictly increases versions', () => {
    for (const steps of orders) {
      assert.equal(steps[0]?.event.type, 'ORDER_PLACED');
      assert.equal(steps[0]?.event.version, 1);
      steps.forEach((s, i) => {
        assert.equal(s.event.version, i + 1);
        assert.equal(s.order.version, s.event.version);
        assert.equal(s.order.updatedAt, s.event.occurredAt);
        assert.equal(s.order.orderId, s.event.orderId);
        assert.equal(s.order.merchantId, s.event.merchantId);
        if (i > 0) assert.ok(Date.parse(s.event.occurredAt) > Date.parse(steps[i - 1]?.event.occurredAt ?? ''));
      });
    }
  });

  it('follows the lifecycle: items changes, paid, completed; cancelled is final', () => {
    for (const steps of orders) {
      const types = steps.map((s) => s.event.type).join(' ');
      assert.match(types, /^ORDER_PLACED( ORDER_ITEMS_CHANGED)*( ORDER_PAID( ORDER_ITEMS_CHANGED)*)?( ORDER_COMPLETED| ORDER_CANCELLED)?$/);
      const last = steps[steps.length - 1];
      if (last?.event.type === 'ORDER_CANCELLED') {
        assert.equal(last.order.status, 'CANCELLED');
        assert.ok(last.order.items.every((i) => i.status === 'CANCELLED'));
      }
      if (last?.event.type === 'ORDER_COMPLETED') assert.equal(last.order.status, 'COMPLETED');
    }
    const cancelled = orders.filter((s) => s[s.length - 1]?.event.type === 'ORDER_CANCELLED').length;
    assert.ok(cancelled > 10 && cancelled < 80, `cancelled ${cancelled} of 400 at cancelRate 0.1`);
  });

  it('never removes items: a cancelled item stays in the list, ids are stable and unique', () => {
    let cancelledItems = 0;
    const allIds = new Set<string>();
    for (const steps of orders) {
      for (let i = 1; i < steps.length; i++) {
        const before = steps[i - 1]?.order.items ?? [];
        const after = steps[i]?.order.items ?? [];
        assert.deepEqual(after.slice(0, before.length).map((x) => x.itemId), before.map((x) => x.itemId));
        for (const [k, item] of after.entries()) {
          if (item.status === 'CANCELLED' && before[k]?.status === 'ACTIVE' && steps[i]?.event.type === 'ORDER_ITEMS_CHANGED') cancelledItems++;
        }
      }
      const last = steps[steps.length - 1];
      for (const item of last?.order.items ?? []) {
        assert.match(item.itemId, new RegExp(`^${last?.order.orderId ?? ''}-\\d+$`));
        assert.ok(!allIds.has(item.itemId), `duplicate item id ${item.itemId}`);
        allIds.add(item.itemId);
      }
    }
    assert.ok(cancelledItems > 0, 'some items are cancelled within a live order');
  });

  it('produces contract-valid bodies with unicode text, take-away and several merchants', () => {
    const all = orders.flat();
    for (const s of all) assert.ok(parseOrderBody(s.order).ok);
    assert.ok(all.some((s) => s.order.tableNo === null));
    assert.ok(all.some((s) => s.order.items.some((i) => /[\u0080-\uffff]/.test(i.name))));
    assert.ok(all.some((s) => s.order.items.some((i) => i.note?.includes('🌶️') === true)));
    assert.ok(new Set(all.map((s) => s.event.merchantId)).size >= 4);
    assert.equal(new Set(all.map((s) => s.event.eventId)).size, all.length);
    assert.match(all[0]?.event.eventId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is deterministic for a seed and prefixes ids', () => {
    const a = generateTraffic({ orders: 50, seed: 3, idPrefix: 'run1-' });
    const b = generateTraffic({ orders: 50, seed: 3, idPrefix: 'run1-' });
    assert.deepEqual(a, b);
    assert.notDeepEqual(generateTraffic({ orders: 50, seed: 4, idPrefix: 'run1-' }), a);
    assert.match(a[0]?.event.orderId ?? '', /^run1-O20261122-\d{6}$/);
    assert.throws(() => generateOrders({ orders: 1, idPrefix: 'bad prefix' }));
  });
});

describe('interleave', () => {
  const lists = Array.from({ length: 30 }, (_, i) => Array.from({ length: (i % 5) + 1 }, (_, k) => `${i}:${k}`));
  const check = (out: string[]): void => {
    assert.equal(out.length, lists.flat().length);
    const next = new Map<string, number>();
    for (const x of out) {
      const [i, k] = x.split(':');
      assert.equal(Number(k), next.get(i as string) ?? 0, `order kept for list ${i}`);
      next.set(i as string, Number(k) + 1);
    }
  };

  it('keeps per-list order and mixes lists (full shuffle and window)', () => {
    const full = interleave(lists, mulberry32(1));
    check(full);
    assert.notDeepEqual(full, lists.flat());
    check(interleave(lists, mulberry32(2), { window: 4 }));
    assert.deepEqual(interleave([[], ['a'], [], ['b']], mulberry32(2), { window: 1 }), ['a', 'b']);
  });

  it('window keeps a lifecycle close together', () => {
    const out = interleave(lists, mulberry32(5), { window: 3 });
    const first = out.findIndex((x) => x.startsWith('29:'));
    assert.ok(first > out.length / 2, 'late lists open late');
  });

  it('expectations take the highest version per order', () => {
    const steps = generateTraffic({ orders: 20, seed: 9 });
    const exp = expectations(steps);
    assert.equal(exp.size, 20);
    for (const [id, own] of byOrder(steps)) {
      const last = own[own.length - 1];
      assert.equal(exp.get(id)?.version, last?.event.version);
      assert.equal(exp.get(id)?.status, last?.order.status);
      assert.equal(exp.get(id)?.events, own.length);
      assert.deepEqual(exp.get(id)?.items, last?.order.items);
    }
  });
});

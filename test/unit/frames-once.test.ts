// framesOnce: one row's frames are encoded once per kind of screen and are byte for byte the
// frames framesFor builds for each screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALL_SERVE } from '../../src/changes/append';
import { framesFor, framesOnce, type Audience, type ChangeRow } from '../../src/push/frames';

const row = (over: Partial<ChangeRow> = {}): ChangeRow => ({
  seq: 7, kind: 'dish', order_id: 'O1', serve: CALL_SERVE, payload: '{"itemId":"O1-1","name":"Mapo 麻婆"}', created_at: new Date(), ...over,
});
const kitchen: Audience = { wantsServe: false };
const waiter: Audience = { wantsServe: true };

test('kitchens share one encoding, waiters another; both equal framesFor', () => {
  const r = row();
  const of = framesOnce(r);
  const k1 = of({ ...kitchen });
  const k2 = of({ ...kitchen });
  assert.equal(k1, k2, 'the same array for every kitchen screen');
  assert.deepEqual(k1.map((b) => b.toString('utf8')), framesFor(r, kitchen));
  const w = of(waiter);
  assert.notEqual(w, k1);
  assert.deepEqual(w.map((b) => b.toString('utf8')), framesFor(r, waiter));
  assert.equal(w.length, 2, 'a waiter also gets the serve call');
});

test('a guest gets only its own order, built for it', () => {
  const of = framesOnce(row({ kind: 'order', serve: 0, payload: '{"orderId":"O1"}' }));
  assert.deepEqual(of({ wantsServe: false, orderId: 'O2' }), []);
  assert.deepEqual(of({ wantsServe: false, orderId: 'O1' }).map((b) => b.toString('utf8')), ['{"type":"order","seq":7,"order":{"orderId":"O1"}}']);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRead } from '../../simulator/read';
import { createStatsRecorder } from '../../simulator/stats';
import { createOrderStore, VersionConflictError } from '../../simulator/store';
import { resolveSwitches, parseSwitches } from '../../simulator/switches';
import type { OrderBody } from '../../simulator/types';
import { rateAllowance, rateBound } from '../support/sim-rate';

function clock(): { now: () => number; at: (t: number) => void } {
  let t = 0;
  return { now: () => t, at: (v) => { t = v; } };
}

describe('stats recorder', () => {
  it('peak rps is the most arrivals in any sliding 1 s window', () => {
    const c = clock();
    const s = createStatsRecorder(c.now);
    // 3 at 0-200 ms, 4 at 900-990 ms → 7 inside (−0.1, 0.99]; then 5 at 1500 ms: window
    // (0.5, 1.5] holds 4 + 5 = 9; nothing else comes closer.
    for (const t of [0, 100, 200, 900, 930, 960, 990, 1500, 1500, 1500, 1500, 1500]) {
      c.at(t);
      s.begin('o')();
    }
    assert.equal(s.snapshot().peakRps, 9);
    c.at(2600);
    assert.equal(s.snapshot().currentRps, 0);
    assert.equal(s.snapshot().calls, 12);
  });

  it('reports when the newest read arrived, and forgets it on reset', () => {
    const s = createStatsRecorder(clock().now);
    assert.equal(s.snapshot().lastArrivalAt, null);
    const before = Date.now();
    s.begin('o')();
    const at = Date.parse(s.snapshot().lastArrivalAt ?? '');
    assert.ok(at >= before && at <= Date.now(), `lastArrivalAt ${at} within the call`);
    s.reset();
    assert.equal(s.snapshot().lastArrivalAt, null);
  });

  it('reports when the peak window ended: it moves with a new peak only, and is forgotten on reset', async () => {
    const c = clock();
    const s = createStatsRecorder(c.now);
    assert.equal(s.snapshot().peakRpsAt, null);
    for (const t of [0, 10, 20]) {
      c.at(t);
      s.begin('o')();
    }
    const first = Date.parse(s.snapshot().peakRpsAt ?? '');
    assert.equal(s.snapshot().peakRps, 3);
    await new Promise((r) => setTimeout(r, 5));
    c.at(5000); // a lone read later is no new peak: the stamp stays
    s.begin('o')();
    assert.equal(Date.parse(s.snapshot().peakRpsAt ?? ''), first);
    for (const t of [5001, 5002, 5003]) {
      c.at(t);
      s.begin('o')();
    }
    assert.equal(s.snapshot().peakRps, 4);
    assert.ok(Date.parse(s.snapshot().peakRpsAt ?? '') > first, 'a new peak moves the stamp');
    s.reset();
    assert.equal(s.snapshot().peakRpsAt, null);
  });

  it("reports the simulator's worst loop delay since the last reset", () => {
    let worst = 180;
    let resets = 0;
    const s = createStatsRecorder(clock().now, { maxMs: () => worst, reset: () => { resets++; worst = 0; }, stop: () => undefined });
    assert.equal(s.snapshot().maxLoopDelayMs, 180);
    s.reset();
    assert.equal(resets, 1);
    assert.equal(s.snapshot().maxLoopDelayMs, 0);
    assert.equal(createStatsRecorder(clock().now).snapshot().maxLoopDelayMs, 0, 'without a monitor');
  });

  it('a stall beyond the gate window allows its calls at the cap pace, never twice the cap', () => {
    assert.equal(rateAllowance(150, 0), 0);
    assert.equal(rateAllowance(150, 100), 0, 'the 1.1 s window covers 100 ms');
    assert.equal(rateAllowance(150, 180), 12);
    assert.ok(rateAllowance(150, 1000) < 150);
    assert.deepEqual(rateBound(150, { peakRps: 151, maxLoopDelayMs: 40 }).ok, false);
    assert.deepEqual(rateBound(150, { peakRps: 162, maxLoopDelayMs: 180 }).ok, true);
  });

  it('tracks in-flight and peak concurrency; reset keeps in-flight', () => {
    const s = createStatsRecorder(clock().now);
    const ends = [s.begin('a'), s.begin('a'), s.begin('b')];
    assert.equal(s.snapshot().inFlight, 3);
    ends[0]?.();
    ends[0]?.(); // idempotent
    s.outcome('200');
    assert.deepEqual(s.snapshot().perOrder, { a: 2, b: 1 });
    s.reset();
    assert.equal(s.snapshot().peakConcurrency, 2);
    assert.equal(s.snapshot().calls, 0);
    ends[1]?.();
    ends[2]?.();
    assert.equal(s.snapshot().inFlight, 0);
  });

  it('stays exact across buffer compaction', () => {
    const c = clock();
    const s = createStatsRecorder(c.now);
    for (let i = 0; i < 20_000; i++) {
      c.at(i * 0.5); // 2000/s steady
      s.begin('x')();
    }
    assert.equal(s.snapshot().peakRps, 2000);
  });
});

const body = (version: number, items = 1): OrderBody => ({
  orderId: 'O1', merchantId: 'M1', tableNo: null, status: 'PLACED', version,
  placedAt: '2026-11-22T12:00:00.000Z', updatedAt: '2026-11-22T12:00:00.000Z',
  items: Array.from({ length: items }, (_, i) => ({
    itemId: `O1-${i + 1}`, dishId: 'D1', name: 'x', quantity: 1, station: null, note: null, status: 'ACTIVE' as const,
  })),
});

describe('store and read decisions', () => {
  it('rejects lower or equal versions, atomically in bulk', () => {
    const store = createOrderStore(() => 0);
    store.put(body(1));
    assert.throws(() => store.put(body(1)), VersionConflictError);
    assert.throws(() => store.putMany([body(2), body(3), body(3)]), VersionConflictError);
    assert.equal(store.get('O1')?.versions.length, 1);
  });

  it('replica lag picks the newest version old enough', () => {
    const c = clock();
    const store = createOrderStore(c.now);
    store.put(body(1));
    c.at(1000);
    store.put(body(2));
    const sw = resolveSwitches({ replicaLagMs: 500 });
    c.at(1200);
    const r1 = decideRead(sw, store.recordRead('O1'), c.now(), () => 0.5);
    assert.deepEqual(r1.kind === 'ok' ? (JSON.parse(r1.json) as OrderBody).version : r1, 1);
    c.at(1500);
    const r2 = decideRead(sw, store.recordRead('O1'), c.now(), () => 0.5);
    assert.deepEqual(r2.kind === 'ok' ? (JSON.parse(r2.json) as OrderBody).version : r2, 2);
    assert.deepEqual(decideRead(resolveSwitches({ replicaLagMs: 5000 }), store.recordRead('O1'), c.now(), () => 0.5), { kind: 'not_found' });
  });

  it('validates switches', () => {
    assert.equal(parseSwitches({ errorRate: 2 }).ok, false);
    assert.equal(parseSwitches({ latencyMs: { min: 5, max: 1 } }).ok, false);
    assert.equal(parseSwitches({ nope: 1 }).ok, false);
    assert.deepEqual(parseSwitches({ latencyMs: { min: 1, max: 5 }, errorStatus: 429 }), {
      ok: true, value: { latencyMs: { min: 1, max: 5 }, errorStatus: 429 },
    });
  });
});

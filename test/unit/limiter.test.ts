// The order-service call gate: the rate cap holds in EVERY sliding one-second window (no 2× burst
// at a boundary, as a fixed-window or token bucket would allow), the concurrency cap holds, calls
// start in arrival order, and both caps resize live. Time is node:test's mock clock. Most tests
// use an exact 1000 ms window; the last one checks the default window with its jitter guard.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { createCallGate, RATE_WINDOW_MS } from '../../src/order-service/limiter';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};
const clock = (): number => Date.now();

/** Start times of calls that finish at once; the caller advances the mock clock. */
function recorder(): { starts: number[]; call: () => Promise<void> } {
  const starts: number[] = [];
  return {
    starts,
    call: () => {
      starts.push(Date.now());
      return Promise.resolve();
    },
  };
}

/** Largest number of starts inside any half-open window (t-1000, t]. */
function maxInAnyWindow(starts: readonly number[]): number {
  let best = 0;
  for (const t of starts) best = Math.max(best, starts.filter((s) => s > t - 1000 && s <= t).length);
  return best;
}

test('at most maxPerSecond starts in any sliding second, exactly', async () => {
  const gate = createCallGate({ maxConcurrent: 100, maxPerSecond: 3 }, clock, 1000);
  const { starts, call } = recorder();
  const all = Array.from({ length: 10 }, () => gate.run(call));
  await flush();
  assert.deepEqual(starts, [0, 0, 0]);
  assert.equal(gate.queued(), 7);
  mock.timers.tick(999);
  await flush();
  assert.equal(starts.length, 3, 'nothing more before the first start leaves the window');
  mock.timers.tick(1);
  await flush();
  assert.deepEqual(starts, [0, 0, 0, 1000, 1000, 1000]);
  mock.timers.tick(1000);
  await flush();
  mock.timers.tick(1000);
  await flush();
  await Promise.all(all);
  assert.deepEqual(starts, [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
  assert.equal(maxInAnyWindow(starts), 3);
  assert.ok(gate.throttled() > 0);
});

test('staggered arrivals: the window slides with each start, not on fixed boundaries', async () => {
  const gate = createCallGate({ maxConcurrent: 100, maxPerSecond: 2 }, clock, 1000);
  const { starts, call } = recorder();
  const all: Promise<void>[] = [gate.run(call)];
  await flush();
  mock.timers.tick(600);
  all.push(gate.run(call), gate.run(call), gate.run(call));
  await flush();
  assert.deepEqual(starts, [0, 600]);
  mock.timers.tick(400); // t=1000: the start at 0 leaves the window
  await flush();
  assert.deepEqual(starts, [0, 600, 1000]);
  mock.timers.tick(599);
  await flush();
  assert.equal(starts.length, 3);
  mock.timers.tick(1); // t=1600: the start at 600 leaves
  await flush();
  await Promise.all(all);
  assert.deepEqual(starts, [0, 600, 1000, 1600]);
  assert.equal(maxInAnyWindow(starts), 2);
});

test('concurrency cap and arrival order', async () => {
  const gate = createCallGate({ maxConcurrent: 2, maxPerSecond: 1000 }, clock);
  const release: Array<() => void> = [];
  const order: number[] = [];
  const all = Array.from({ length: 6 }, (_, i) =>
    gate.run(() => {
      order.push(i);
      return new Promise<void>((r) => release.push(r));
    }),
  );
  await flush();
  assert.equal(gate.inFlight(), 2);
  assert.equal(gate.queued(), 4);
  release.shift()?.();
  await flush();
  assert.equal(gate.inFlight(), 2);
  assert.deepEqual(order, [0, 1, 2]);
  while (release.length > 0) {
    release.shift()?.();
    await flush();
  }
  await Promise.all(all);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(gate.inFlight(), 0);
});

test('resize: more concurrency starts queued calls at once; less waits for running ones', async () => {
  const gate = createCallGate({ maxConcurrent: 1, maxPerSecond: 1000 }, clock);
  const release: Array<() => void> = [];
  const all = Array.from({ length: 8 }, () => gate.run(() => new Promise<void>((r) => release.push(r))));
  await flush();
  assert.equal(gate.inFlight(), 1);
  gate.setLimits({ maxConcurrent: 5 });
  await flush();
  assert.equal(gate.inFlight(), 5);
  gate.setLimits({ maxConcurrent: 2 });
  for (let i = 0; i < 3; i++) release.shift()?.();
  await flush();
  assert.equal(gate.inFlight(), 2, 'no new start while above the smaller cap');
  release.shift()?.();
  await flush();
  assert.equal(gate.inFlight(), 2, 'refilled up to, not beyond, the new cap');
  assert.deepEqual(gate.limits(), { maxConcurrent: 2, maxPerSecond: 1000 });
  while (release.length > 0) {
    release.shift()?.();
    await flush();
  }
  await Promise.all(all);
});

test('resize the rate: raising it releases throttled calls at once, lowering it holds new ones', async () => {
  const gate = createCallGate({ maxConcurrent: 100, maxPerSecond: 2 }, clock, 1000);
  const { starts, call } = recorder();
  const first = Array.from({ length: 5 }, () => gate.run(call));
  await flush();
  assert.equal(starts.length, 2);
  gate.setLimits({ maxPerSecond: 4 });
  await flush();
  assert.equal(starts.length, 4, 'two more start in the same second under the new cap');
  gate.setLimits({ maxPerSecond: 1 });
  mock.timers.tick(500);
  await flush();
  assert.equal(starts.length, 4, '4 starts in the window already exceed the new cap of 1');
  mock.timers.tick(500);
  await flush();
  await Promise.all(first);
  assert.deepEqual(starts, [0, 0, 0, 0, 1000]);
});

test('a share of 0 (more instances than the cap) holds calls without spinning; a share > 0 releases them', async () => {
  for (const zero of [{ maxConcurrent: 0, maxPerSecond: 5 }, { maxConcurrent: 5, maxPerSecond: 0 }]) {
    const gate = createCallGate(zero, clock, 1000);
    const { starts, call } = recorder();
    const all = Array.from({ length: 3 }, () => gate.run(call));
    mock.timers.tick(5000);
    await flush();
    assert.equal(starts.length, 0, `nothing starts with ${JSON.stringify(zero)}`);
    assert.equal(gate.throttled(), 0, 'a zero share is not counted as rate throttling (no timer loop)');
    gate.setLimits({ maxConcurrent: 5, maxPerSecond: 5 });
    await flush();
    await Promise.all(all);
    assert.equal(starts.length, 3);
  }
});

test('a failing call frees its slot', async () => {
  const gate = createCallGate({ maxConcurrent: 1, maxPerSecond: 1000 }, clock);
  await assert.rejects(gate.run(() => Promise.reject(new Error('down'))), /down/);
  assert.equal(gate.inFlight(), 0);
  assert.equal(await gate.run(() => Promise.resolve(7)), 7);
});

test('the default window leaves a guard for arrival jitter: N starts per RATE_WINDOW_MS, not per 1000 ms', async () => {
  assert.ok(RATE_WINDOW_MS > 1000);
  const gate = createCallGate({ maxConcurrent: 100, maxPerSecond: 2 }, clock);
  const { starts, call } = recorder();
  const all = Array.from({ length: 3 }, () => gate.run(call));
  await flush();
  mock.timers.tick(1000);
  await flush();
  assert.equal(starts.length, 2, 'not yet at 1000 ms');
  mock.timers.tick(RATE_WINDOW_MS - 1000);
  await flush();
  await Promise.all(all);
  assert.deepEqual(starts, [0, 0, RATE_WINDOW_MS]);
});

test('settled: resolves only when no call is in flight and the newest end has left the window', async () => {
  const gate = createCallGate({ maxConcurrent: 10, maxPerSecond: 10 }, clock, 1000);
  let settledAt: number | undefined;
  assert.equal(await Promise.race([gate.settled().then(() => 'now'), flush().then(() => 'later')]), 'now', 'an unused gate is settled');

  let finish!: () => void;
  const slow = gate.run(() => new Promise<void>((r) => (finish = r)));
  mock.timers.tick(300);
  const quick = gate.run(() => Promise.resolve()); // ends at 300
  await flush();
  void gate.settled().then(() => (settledAt = Date.now()));
  mock.timers.tick(1200); // 1500: the quick call is out of the window, but a call is in flight
  await flush();
  assert.equal(settledAt, undefined, 'not while a call is in flight');
  finish(); // the slow call ends at 1500: its request may have reached the order service just now
  await Promise.all([slow, quick]);
  for (let i = 0; i < 49 && settledAt === undefined; i++) {
    mock.timers.tick(20);
    await flush();
  }
  assert.equal(settledAt, undefined, 'not within the window after the newest end');
  for (let i = 0; i < 5 && settledAt === undefined; i++) {
    mock.timers.tick(20);
    await flush();
  }
  assert.ok(settledAt !== undefined && settledAt >= 2500 && settledAt <= 2520, `settled at ${settledAt}`);

  const late = gate.run(() => Promise.resolve()); // ends at settledAt
  await late;
  const from = Date.now();
  let again: number | undefined;
  void gate.settled().then(() => (again = Date.now()));
  mock.timers.tick(999);
  await flush();
  assert.equal(again, undefined, 'not before the newest end leaves the window');
  mock.timers.tick(1);
  await flush();
  assert.equal(again, from + 1000);
});

test('a call counts against the rate from its admission until a window after it ends, however late it is sent', async () => {
  const gate = createCallGate({ maxConcurrent: 10, maxPerSecond: 2 }, clock, 1000);
  let finishSlow!: () => void;
  // admitted at 0, its request written late (an event-loop stall): it may arrive just before it ends
  const slow = gate.run(() => new Promise<void>((r) => (finishSlow = r)));
  const admitted: number[] = [];
  const quick = (): Promise<void> => gate.run(() => {
    admitted.push(Date.now());
    return Promise.resolve();
  });
  const calls = [quick(), quick(), quick(), quick()];
  // the mock clock jumps to the end of a tick before running due timers: step in small ticks
  const advanceTo = async (t: number): Promise<void> => {
    while (Date.now() < t) {
      mock.timers.tick(1);
      await flush();
    }
  };
  await flush();
  assert.deepEqual(admitted, [0], 'the slow call and one more fill the second');
  await advanceTo(1000); // the quick call's window is over; the slow call is still in flight
  assert.deepEqual(admitted, [0, 1000], 'one more, next to the call in flight');
  await advanceTo(1500);
  finishSlow(); // ends at 1500
  await slow;
  await advanceTo(2000);
  assert.deepEqual(admitted, [0, 1000, 2000], 'at 2000 the call admitted at 1000 has left the window');
  await advanceTo(2499);
  assert.deepEqual(admitted, [0, 1000, 2000], 'the slow call counts until a window after its end');
  await advanceTo(2500);
  await Promise.all(calls);
  assert.deepEqual(admitted, [0, 1000, 2000, 2500]);
});

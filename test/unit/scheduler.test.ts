// The keyed scheduler: one key's tasks never overlap and run in submission order, the global
// limit is never exceeded, and resizing it mid-flight takes effect at once (up) or as tasks
// finish (down) without reordering any key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKeyedScheduler } from '../../src/pipeline/keyed-scheduler';
import { mulberry32 } from '../../simulator/prng';
import { gate } from '../support/wait';

const turns = (n = 5): Promise<void> =>
  (async () => {
    for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
  })();

test('per key: submission order, never two at once; overall: limit honoured', async () => {
  const random = mulberry32(7);
  const s = createKeyedScheduler(16);
  const started = new Map<string, number[]>();
  const running = new Set<string>();
  let active = 0;
  let peak = 0;
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < 3000; i++) {
    const key = `O${Math.floor(random() * 200)}`;
    const seq = i;
    const delay = Math.floor(random() * 4);
    tasks.push(
      s.submit(key, async () => {
        assert.ok(!running.has(key), `${key} ran twice at once`);
        running.add(key);
        active++;
        peak = Math.max(peak, active);
        started.set(key, [...(started.get(key) ?? []), seq]);
        await turns(delay);
        active--;
        running.delete(key);
      }),
    );
  }
  await Promise.all(tasks);
  assert.ok(peak <= 16, `peak ${peak} > limit 16`);
  assert.ok(peak >= 12, `peak ${peak}: the limit should be used`);
  for (const [key, seqs] of started) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${key} out of order`);
  assert.equal(s.pending(), 0);
  assert.equal(s.active(), 0);
});

test('a failed task does not stop the ones behind it', async () => {
  const s = createKeyedScheduler(4);
  const order: string[] = [];
  const first = s.submit('A', async () => {
    await turns(1);
    order.push('a1');
    throw new Error('boom');
  });
  const second = s.submit('A', () => {
    order.push('a2');
    return Promise.resolve(2);
  });
  await assert.rejects(first, /boom/);
  assert.equal(await second, 2);
  assert.deepEqual(order, ['a1', 'a2']);
});

test('resize up mid-flight starts waiting work at once; resize down lets running work finish', async () => {
  const s = createKeyedScheduler(2);
  const gates = Array.from({ length: 10 }, () => gate());
  let startedCount = 0;
  const all = gates.map((g, i) =>
    s.submit(`K${i}`, async () => {
      startedCount++;
      await g.promise;
    }),
  );
  await turns();
  assert.equal(s.active(), 2);
  assert.equal(s.pending(), 10);

  s.setLimit(6);
  await turns();
  assert.equal(s.active(), 6, 'more run as soon as the limit grows');
  assert.equal(startedCount, 6);

  s.setLimit(1);
  await turns();
  assert.equal(s.active(), 6, 'running tasks are not interrupted');
  for (let i = 0; i < 5; i++) gates[i]?.open();
  await turns();
  assert.equal(s.active(), 1, 'finished slots are not refilled above the new limit');
  assert.equal(startedCount, 6);
  gates[5]?.open();
  await turns();
  assert.equal(s.active(), 1);
  assert.equal(startedCount, 7, 'one starts when the running count drops below the limit');
  for (const g of gates) g.open();
  await Promise.all(all);
  assert.equal(s.limit(), 1);
});

test('resizing never reorders a key', async () => {
  const s = createKeyedScheduler(1);
  const order: number[] = [];
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    tasks.push(s.submit(i % 2 === 0 ? 'even' : 'odd', async () => {
      order.push(i);
      await turns(1);
    }));
    if (i === 10) s.setLimit(8);
    if (i === 30) s.setLimit(2);
  }
  await Promise.all(tasks);
  const even = order.filter((n) => n % 2 === 0);
  const odd = order.filter((n) => n % 2 === 1);
  assert.deepEqual(even, [...even].sort((a, b) => a - b));
  assert.deepEqual(odd, [...odd].sort((a, b) => a - b));
});

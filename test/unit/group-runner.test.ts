// The group runner: each caller gets its own item's result; items submitted while groups run are
// gathered into the next group (never more than maxSize, never more than maxConcurrent groups at
// once); a lone item at rest starts at once; one item's failure stays its own; a whole group's
// failure reaches each of its callers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupRunner } from '../../src/pipeline/group-runner';
import { gate, type Gate } from '../support/wait';

const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

test('a lone item starts in the turn it was submitted in, alone', async () => {
  const groups: number[][] = [];
  const runner = createGroupRunner<number, number>({
    maxSize: 10,
    maxConcurrent: 1,
    run: (items) => {
      groups.push(items);
      return Promise.resolve(items.map((i) => ({ status: 'fulfilled' as const, value: i * 2 })));
    },
  });
  let seenByNextTurn: number[][] | undefined;
  setImmediate(() => (seenByNextTurn = groups.map((g) => [...g])));
  const p = runner.submit(21);
  await turn();
  assert.deepEqual(seenByNextTurn, [[21]], 'started within the turn it was submitted in (microtasks only)');
  assert.equal(await p, 42);
});

test('items arriving while groups run are gathered: sizes and concurrency capped, results matched', async () => {
  const gates: Gate[] = [];
  const groups: number[][] = [];
  let running = 0;
  let peak = 0;
  const runner = createGroupRunner<number, string>({
    maxSize: 4,
    maxConcurrent: 2,
    run: async (items) => {
      groups.push(items);
      running++;
      peak = Math.max(peak, running);
      const g = gate();
      gates.push(g);
      await g.promise;
      running--;
      return items.map((i) => ({ status: 'fulfilled' as const, value: `r${i}` }));
    },
  });
  const results = Array.from({ length: 11 }, (_, i) => runner.submit(i));
  await turn();
  // 11 submitted in one turn: the first two groups take 4 each, three wait
  assert.deepEqual(groups, [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(runner.queued(), 3);
  const late = [runner.submit(11), runner.submit(12)];
  gates[0]?.open();
  await turn();
  assert.deepEqual(groups[2], [8, 9, 10, 11], 'the next group gathers what queued meanwhile, up to maxSize');
  const all = Promise.all([...results, ...late]);
  let done = false;
  void all.then(() => (done = true));
  while (!done) {
    for (const g of gates) g.open(); // groups started later get gates of their own
    await turn();
  }
  assert.deepEqual(await all, Array.from({ length: 13 }, (_, i) => `r${i}`));
  assert.deepEqual(groups.flat(), Array.from({ length: 13 }, (_, i) => i), 'every item once, in submission order');
  assert.ok(groups.every((g) => g.length <= 4));
  assert.equal(peak, 2);
  assert.equal(runner.queued(), 0);
});

test('one item rejected, the others fulfilled; a failed run rejects its whole group only', async () => {
  let calls = 0;
  const runner = createGroupRunner<string, string>({
    maxSize: 3,
    maxConcurrent: 1,
    run: (items) => {
      calls++;
      if (items.includes('boom')) return Promise.reject(new Error('database gone'));
      return Promise.resolve(
        items.map((i): PromiseSettledResult<string> =>
          i === 'bad' ? { status: 'rejected', reason: new Error(`refused ${i}`) } : { status: 'fulfilled', value: i.toUpperCase() },
        ),
      );
    },
  });
  const first = await Promise.allSettled(['a', 'bad', 'c'].map((i) => runner.submit(i)));
  assert.deepEqual(first.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal((first[0] as PromiseFulfilledResult<string>).value, 'A');
  assert.match(String((first[1] as PromiseRejectedResult).reason), /refused bad/);

  const second = await Promise.allSettled(['x', 'boom', 'y', 'z'].map((i) => runner.submit(i)));
  assert.deepEqual(second.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'fulfilled'], 'the group with boom failed, z ran after it');
  assert.equal(calls, 3);
});

test('a run that throws synchronously or returns too few results fails its callers, not the runner', async () => {
  let mode: 'throw' | 'short' | 'ok' = 'throw';
  const runner = createGroupRunner<number, number>({
    maxSize: 5,
    maxConcurrent: 1,
    run: (items) => {
      if (mode === 'throw') throw new Error('sync');
      if (mode === 'short') return Promise.resolve([{ status: 'fulfilled' as const, value: 1 }]);
      return Promise.resolve(items.map((i) => ({ status: 'fulfilled' as const, value: i })));
    },
  });
  await assert.rejects(runner.submit(1), /sync/);
  mode = 'short';
  const short = await Promise.allSettled([runner.submit(1), runner.submit(2)]);
  assert.equal(short[0]?.status, 'fulfilled');
  assert.match(String((short[1] as PromiseRejectedResult).reason), /1 results for 2 items/);
  mode = 'ok';
  assert.equal(await runner.submit(7), 7);
});

// Where a partition is read from (src/offsets/rule.ts, docs/operations.md), as tables: what a first
// start records, the moment it stands for, which committed offsets are positions, and how a batch
// fetched from the earliest record enters at the floor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryingKafka } from '../../src/offsets/positions';
import { CLOCK_SKEW_MS, enterAt, firstStartOf, floorMoment, hasPosition } from '../../src/offsets/rule';

const now = new Date('2026-12-02T10:00:00Z');

describe('the first start and its moment', () => {
  const cases: [string, { fromBeginning: boolean; groupHasOffsets: boolean }, number][] = [
    ['a new group: now, less the clock-skew allowance', { fromBeginning: false, groupHasOffsets: false }, now.getTime() - CLOCK_SKEW_MS],
    ['KAFKA_FROM_BEGINNING=true: the beginning of time', { fromBeginning: true, groupHasOffsets: false }, 0],
    ['a group with committed offsets and no record (an upgrade): the beginning of time', { fromBeginning: false, groupHasOffsets: true }, 0],
    ['both', { fromBeginning: true, groupHasOffsets: true }, 0],
  ];
  for (const [name, o, want] of cases) {
    it(name, () => {
      const s = firstStartOf({ now, ...o });
      assert.equal(s.startedAt, now);
      assert.equal(floorMoment(s), want);
    });
  }
  it('a moment never goes below 0', () => {
    assert.equal(floorMoment({ startedAt: new Date(1000), fromBeginning: false }), 0);
  });
});

describe('hasPosition: a committed offset as Kafka answers it', () => {
  const cases: [string | undefined, boolean, string][] = [
    [undefined, false, 'the partition is not in the answer (added after the admin looked)'],
    ['-1', false, 'Kafka\'s "no committed offset"'],
    ['0', true, 'the first record'],
    ['12345678901234567890', true, 'beyond 2^53'],
    ['-2', true, 'kafkajs\' reset of an out-of-range offset to the earliest record'],
    ['-3', false, 'nothing kafkajs writes'],
    ['', false, 'garbage'],
  ];
  for (const [committed, want, why] of cases) it(`${String(committed)}: ${why}`, () => assert.equal(hasPosition(committed), want));
});

describe('enterAt: a batch fetched from the earliest record meets the floor', () => {
  const cases: [string, string[], string, { skip: number; position: string }][] = [
    ['a partition added after the first start: floor 0, nothing skipped', ['0', '1', '2'], '0', { skip: 0, position: '0' }],
    ['history before the first start is skipped', ['0', '1', '2', '3'], '2', { skip: 2, position: '2' }],
    ['a whole batch of history: all skipped, resume at the floor', ['0', '1', '2'], '500', { skip: 3, position: '500' }],
    ['the floor at the log end of a quiet partition', ['7'], '8', { skip: 1, position: '8' }],
    ['records deleted below the batch: commit its first record', ['40', '41'], '10', { skip: 0, position: '40' }],
    ['a gap (compaction) across the floor', ['0', '1', '9', '10'], '5', { skip: 2, position: '5' }],
    ['offsets beyond 2^53', ['9007199254740993', '9007199254740994'], '9007199254740994', { skip: 1, position: '9007199254740994' }],
  ];
  for (const [name, offsets, floor, want] of cases) it(name, () => assert.deepEqual(enterAt(offsets, floor), want));
});

describe('retryingKafka: what kafkajs marks retriable is asked again, for a while', () => {
  const retriable = (): Error => Object.assign(new Error('This is not the correct coordinator for this group'), { retriable: true });
  it('a coordinator still loading: answered on the third call', async () => {
    let calls = 0;
    const retries: number[] = [];
    const got = await retryingKafka(async () => (++calls < 3 ? Promise.reject(retriable()) : 'offsets'), (_e, n) => retries.push(n));
    assert.equal(got, 'offsets');
    assert.deepEqual(retries, [0, 1]);
  });
  it('an error that is not retriable is thrown at once', async () => {
    let calls = 0;
    await assert.rejects(retryingKafka(() => (calls++, Promise.reject(new Error('bad request'))), () => undefined), /bad request/);
    assert.equal(calls, 1);
  });
  it('a retriable error past the deadline is thrown', async () => {
    await assert.rejects(retryingKafka(() => Promise.reject(retriable()), () => undefined, 0), /coordinator/);
  });
});

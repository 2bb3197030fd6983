// The change log's day partitions: which bounds to add, which days may leave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundsToAdd, dayStart, logCutoff, partitionBound, partitionName, wholeDaysBefore } from '../../src/archive/log-days';

const d = (iso: string): Date => new Date(iso);
const names = (ds: Date[]): string[] => ds.map(partitionName);

test('a partition is named after the UTC day it stops before, and the name gives the bound back', () => {
  assert.equal(partitionName(d('2026-12-04T00:00:00Z')), 'lt20261204');
  assert.deepEqual(partitionBound('lt20261204'), d('2026-12-04T00:00:00Z'));
  assert.equal(partitionBound('pmax'), undefined);
  assert.equal(partitionBound('lt2026124'), undefined);
  assert.equal(partitionBound('p20261204'), undefined);
});

test('days are UTC days: 23:59:59.999 and 00:00 are on either side of a bound', () => {
  assert.deepEqual(dayStart(d('2026-12-03T23:59:59.999Z')), d('2026-12-03T00:00:00Z'));
  assert.deepEqual(dayStart(d('2026-12-04T00:00:00.000Z')), d('2026-12-04T00:00:00Z'));
  assert.deepEqual(logCutoff(d('2026-11-26T03:30:00Z')), d('2026-11-26T00:00:00Z'));
});

test('a table with pmax only gets everything before today in one partition, then today and each day ahead one', () => {
  // lt20261204 holds today (12-03), lt20261207 the third day after it
  assert.deepEqual(names(boundsToAdd([], d('2026-12-03T03:30:00Z'), 3)), ['lt20261203', 'lt20261204', 'lt20261205', 'lt20261206', 'lt20261207']);
});

test('a table made ahead gets only the days not there yet, and nothing when it is ahead enough', () => {
  // as migration 150 leaves a table made on 2026-12-03: up to the end of today, then three days
  const have = [d('2026-12-04T00:00:00Z'), d('2026-12-05T00:00:00Z'), d('2026-12-06T00:00:00Z'), d('2026-12-07T00:00:00Z')];
  assert.deepEqual(names(boundsToAdd(have, d('2026-12-04T03:30:00Z'), 3)), ['lt20261208']);
  assert.deepEqual(boundsToAdd(have, d('2026-12-03T03:30:00Z'), 3), []);
  // a run late in the day does not add a day more than one early in it
  assert.deepEqual(boundsToAdd(have, d('2026-12-03T23:59:00Z'), 3), []);
});

test('after days without a run, the days missed are one partition, not one each', () => {
  const have = [d('2026-11-01T00:00:00Z')];
  assert.deepEqual(names(boundsToAdd(have, d('2026-12-03T10:00:00Z'), 2)), ['lt20261203', 'lt20261204', 'lt20261205', 'lt20261206']);
});

test('only partitions that end at or before the log cutoff leave, oldest first; pmax and other names never', () => {
  const all = ['lt20261203', 'lt20261130', 'pmax', 'lt20261201', 'lt20261202', 'other'];
  assert.deepEqual(wholeDaysBefore(all, d('2026-12-02T00:00:00Z')), ['lt20261130', 'lt20261201', 'lt20261202']);
  assert.deepEqual(wholeDaysBefore(all, d('2026-11-29T00:00:00Z')), []);
});

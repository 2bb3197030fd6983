import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMark, decideRecall, type MarkTarget, type RecallRole } from '../../src/dishes/transitions';

describe('dish mark transitions', () => {
  const table: Array<[string, MarkTarget, 'apply' | 'noop' | 'conflict']> = [
    ['WAITING', 'READY', 'apply'],
    ['READY', 'READY', 'noop'],
    ['SERVED', 'READY', 'conflict'],
    ['CANCELLED', 'READY', 'conflict'],
    ['READY', 'SERVED', 'apply'],
    ['SERVED', 'SERVED', 'noop'],
    ['WAITING', 'SERVED', 'conflict'],
    ['CANCELLED', 'SERVED', 'conflict'],
  ];
  for (const [from, target, kind] of table) {
    it(`${from} → ${target}: ${kind}`, () => {
      const d = decideMark(from, target);
      assert.equal(d.kind, kind);
      if (d.kind === 'apply') assert.equal(d.to, target);
      if (d.kind === 'conflict') assert.match(d.reason, new RegExp(from));
    });
  }
});

describe('dish recall transitions', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const table: Array<[string, RecallRole, Date | null, 'WAITING' | 'READY' | 'conflict']> = [
    ['READY', 'kitchen', ago(10), 'WAITING'],
    ['READY', 'kitchen', ago(900), 'WAITING'],
    ['READY', 'kitchen', ago(901), 'conflict'],
    ['READY', 'kitchen', null, 'conflict'],
    ['WAITING', 'kitchen', null, 'conflict'],
    ['SERVED', 'kitchen', ago(5), 'conflict'],
    ['CANCELLED', 'kitchen', ago(5), 'conflict'],
    ['SERVED', 'waiter', ago(10), 'READY'],
    ['SERVED', 'waiter', ago(901), 'conflict'],
    ['READY', 'waiter', ago(5), 'conflict'],
    ['WAITING', 'waiter', null, 'conflict'],
    ['CANCELLED', 'waiter', ago(5), 'conflict'],
  ];
  for (const [from, role, markedAt, want] of table) {
    const age = markedAt === null ? 'never marked' : `${(now.getTime() - markedAt.getTime()) / 1000} s`;
    it(`${role} recalls ${from} (${age}): ${want}`, () => {
      const d = decideRecall(from, role, markedAt, now, 900);
      if (want === 'conflict') {
        assert.equal(d.kind, 'conflict');
      } else {
        assert.deepEqual(d, { kind: 'apply', from, to: want });
      }
    });
  }
});

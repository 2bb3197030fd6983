import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMark, type MarkTarget } from '../../src/dishes/transitions';

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

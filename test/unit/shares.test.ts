// The cluster share arithmetic: every rank's share of a total, the sum over ranks equal to the
// total (never above it), at least 1 each while members <= total, 0 for the ranks beyond it,
// and nothing before the membership is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instanceLimits, shareOf } from '../../src/cluster/shares';

test('shares by rank: floor plus one of the remainder for the oldest ranks', () => {
  const table: Array<[total: number, members: number, shares: number[]]> = [
    [12, 1, [12]],
    [12, 2, [6, 6]],
    [12, 3, [4, 4, 4]],
    [16, 3, [6, 5, 5]],
    [150, 3, [50, 50, 50]],
    [200, 3, [67, 67, 66]],
    [5, 4, [2, 1, 1, 1]],
    [3, 3, [1, 1, 1]],
    [2, 4, [1, 1, 0, 0]],
    [1, 3, [1, 0, 0]],
  ];
  for (const [total, members, shares] of table) {
    const got = shares.map((_, rank) => shareOf(total, { members, rank }));
    assert.deepEqual(got, shares, `${total} over ${members}`);
  }
});

test('the shares of all ranks sum to the total for every total and member count', () => {
  for (let total = 0; total <= 60; total++) {
    for (let members = 1; members <= 12; members++) {
      const shares = Array.from({ length: members }, (_, rank) => shareOf(total, { members, rank }));
      assert.equal(shares.reduce((a, b) => a + b, 0), total, `${total} over ${members}`);
      if (members <= total) assert.ok(shares.every((s) => s >= 1), `each at least 1: ${total} over ${members}`);
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, 'even within one');
    }
  }
});

test('a rank out of range is clamped, never a share above the fair one', () => {
  assert.equal(shareOf(12, { members: 3, rank: 7 }), 4);
  assert.equal(shareOf(12, { members: 0, rank: 0 }), 12, 'no members known counts as alone');
});

test('instance limits: both caps split by the same rank; unknown membership takes nothing', () => {
  assert.deepEqual(instanceLimits({ maxConcurrent: 16, maxPerSecond: 200 }, { members: 3, rank: 0 }), { maxConcurrent: 6, maxPerSecond: 67 });
  assert.deepEqual(instanceLimits({ maxConcurrent: 16, maxPerSecond: 200 }, { members: 3, rank: 2 }), { maxConcurrent: 5, maxPerSecond: 66 });
  assert.deepEqual(instanceLimits({ maxConcurrent: 16, maxPerSecond: 200 }, undefined), { maxConcurrent: 0, maxPerSecond: 0 });
});

test('a member leaving never lowers a survivor\'s share (only a join shrinks shares, and the newcomer is the youngest)', () => {
  for (let total = 0; total <= 80; total++) {
    for (let members = 2; members <= 12; members++) {
      for (let leaver = 0; leaver < members; leaver++) {
        for (let rank = 0; rank < members; rank++) {
          if (rank === leaver) continue;
          const before = shareOf(total, { members, rank });
          const after = shareOf(total, { members: members - 1, rank: rank > leaver ? rank - 1 : rank });
          assert.ok(after >= before, `${total} over ${members}, rank ${rank}, rank ${leaver} leaves: ${before} -> ${after}`);
        }
      }
      // a join: the old ranks keep their place and shrink or stay
      for (let rank = 0; rank < members - 1; rank++) {
        assert.ok(shareOf(total, { members, rank }) <= shareOf(total, { members: members - 1, rank }));
      }
    }
  }
});

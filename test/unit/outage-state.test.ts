// The shared outage record: N instances give one "down" and one "recovered" notice; a dead
// instance cannot hold the outage open forever. Pure, table-tested.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  advance, MAX_PENDING, NO_OUTAGE, parseShared, peerSince, type LocalView, type OutageRender, type SharedOutage,
} from '../../src/alerts/outage-state';

const render: OutageRender = {
  down: (v, since) => ({ subject: `down by ${v.instance} since ${since.toISOString()}`, text: '' }),
  recovered: (_v, _since, _until, reason) => ({ subject: `recovered (${reason})`, text: '' }),
};
const STALE = 60_000;
const T = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function view(instance: string, open: boolean | 'adopted', sinceSec = 0): LocalView {
  return {
    instance, open: open !== false, since: open !== false ? T(sinceSec) : null, adopted: open === 'adopted',
    calls: 20, failures: 20, lastError: 'x', rejected: 0, probes: 0,
  };
}

/** Each step: [instance, its breaker open? ('adopted': on another's report), at second]; its notices. */
const scenarios: { name: string; steps: [string, boolean | 'adopted', number, string[]][] }[] = [
  {
    name: 'an instance that took up another\'s report: still one down and one recovered mail',
    steps: [
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['b', 'adopted', 12, []],
      ['a', false, 20, []],
      ['b', false, 22, ['recovered (closed)']],
    ],
  },
  {
    name: 'an instance that took up a report just before the outage ended starts no second one',
    steps: [
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['a', false, 20, ['recovered (closed)']],
      ['b', 'adopted', 21, []],
      ['b', 'adopted', 22, []],
      ['b', false, 23, []],
    ],
  },
  {
    name: 'one instance: down once, refreshed quietly, recovered once',
    steps: [
      ['a', false, 0, []],
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['a', true, 20, []],
      ['a', true, 30, []],
      ['a', false, 40, ['recovered (closed)']],
      ['a', false, 50, []],
    ],
  },
  {
    name: 'two instances: one down mail, recovered when the last one closes',
    steps: [
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['b', true, 11, []],
      ['a', false, 20, []],
      ['b', true, 25, []],
      ['b', false, 30, ['recovered (closed)']],
    ],
  },
  {
    name: 'an instance that dies while down is dropped after the stale time',
    steps: [
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['b', false, 40, []],
      ['b', false, 71, ['recovered (stale)']],
      ['b', false, 80, []],
    ],
  },
  {
    name: 'a new outage after recovery is mailed again',
    steps: [
      ['a', true, 10, ['down by a since 2026-01-01T00:00:10.000Z']],
      ['a', false, 20, ['recovered (closed)']],
      ['b', true, 30, ['down by b since 2026-01-01T00:00:30.000Z']],
    ],
  },
];

describe('advance', () => {
  for (const sc of scenarios) {
    test(sc.name, () => {
      let s: SharedOutage = NO_OUTAGE;
      const all: string[] = [];
      for (const [instance, open, at, expected] of sc.steps) {
        const r = advance(s, view(instance, open, at), T(at), STALE, render);
        assert.deepEqual(r.notices.map((n) => n.subject), expected, `${instance} at ${at}s`);
        all.push(...expected);
        s = r.state;
      }
      // every notice is queued for sending, in order
      assert.deepEqual(s.pending.map((n) => n.subject), all);
    });
  }

  test('pending notices are capped (SMTP down for days, flapping service)', () => {
    let s: SharedOutage = NO_OUTAGE;
    for (let i = 0; i < 40; i++) s = advance(s, view('a', i % 2 === 0, i), T(i), STALE, render).state;
    assert.equal(s.pending.length, MAX_PENDING);
    assert.equal(s.pending[MAX_PENDING - 1]?.subject, 'recovered (closed)');
  });
});

describe('parseShared', () => {
  const cases: [string, Record<string, unknown> | undefined, SharedOutage][] = [
    ['missing', undefined, NO_OUTAGE],
    ['empty', {}, NO_OUTAGE],
    ['garbage fields', { down: 3, since: 5, pending: 'x' }, NO_OUTAGE],
    [
      'valid, with a broken entry and a broken mail',
      { down: { a: { since: 's', seenAt: 't' }, b: { since: 1 } }, since: 's', pending: [{ subject: 'x', text: 'y' }, { subject: 1 }] },
      { down: { a: { since: 's', seenAt: 't' } }, since: 's', pending: [{ subject: 'x', text: 'y' }] },
    ],
  ];
  for (const [name, input, expected] of cases) test(name, () => assert.deepEqual(parseShared(input), expected));
});

describe('peerSince: what another instance reports, for this one\'s breaker', () => {
  const shared: SharedOutage = {
    down: {
      a: { since: T(10).toISOString(), seenAt: T(100).toISOString() },
      b: { since: T(30).toISOString(), seenAt: T(100).toISOString() },
      dead: { since: T(50).toISOString(), seenAt: T(5).toISOString() },
    },
    since: T(10).toISOString(),
    pending: [],
  };
  const cases: [string, string, Date | null][] = [
    ['the newest report of the others (an answer after an older one does not outweigh it)', 'c', T(30)],
    ['its own mark is not a report to itself', 'b', T(10)],
    ['a dead instance\'s mark (not refreshed within the stale time) is ignored', 'x', T(30)],
  ];
  for (const [name, self, expected] of cases) {
    test(name, () => assert.deepEqual(peerSince(shared, self, T(110), STALE), expected));
  }
  test('nobody down: null', () => assert.equal(peerSince(NO_OUTAGE, 'a', T(0), STALE), null));
});

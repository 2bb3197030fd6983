import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, canonicalZone, dayHours, dayStart, isLocalDate, localDate, localDateAndHour, localHour } from '../../src/local-time/zone';

const at = (iso: string): Date => new Date(iso);

describe('local days and hours', () => {
  const cases: [instant: string, zone: string, date: string, hour: number][] = [
    ['2026-12-01T15:59:59.999Z', 'Asia/Shanghai', '2026-12-01', 23],
    ['2026-12-01T16:00:00.000Z', 'Asia/Shanghai', '2026-12-02', 0],
    ['2026-12-02T04:59:59.000Z', 'America/New_York', '2026-12-01', 23],
    ['2026-12-02T05:00:00.000Z', 'America/New_York', '2026-12-02', 0],
    // spring forward 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT
    ['2026-03-08T06:59:59.000Z', 'America/New_York', '2026-03-08', 1],
    ['2026-03-08T07:00:00.000Z', 'America/New_York', '2026-03-08', 3],
    // fall back 2026-11-01: 01:xx comes twice (EDT, then EST)
    ['2026-11-01T05:30:00.000Z', 'America/New_York', '2026-11-01', 1],
    ['2026-11-01T06:30:00.000Z', 'America/New_York', '2026-11-01', 1],
    ['2026-12-01T18:29:00.000Z', 'Asia/Kolkata', '2026-12-01', 23],
    ['2026-12-01T18:30:00.000Z', 'Asia/Kolkata', '2026-12-02', 0],
    ['2026-12-01T23:59:59.000Z', 'UTC', '2026-12-01', 23],
  ];
  for (const [instant, zone, date, hour] of cases) {
    it(`${instant} in ${zone} is ${date} hour ${hour}`, () => {
      assert.equal(localDate(at(instant), zone), date);
      assert.equal(localHour(at(instant), zone).hour, hour);
    });
  }

  it('an hour starts at its local :00, also in half-hour zones and in a repeated hour', () => {
    assert.equal(localHour(at('2026-12-01T19:45:10.123Z'), 'Asia/Kolkata').startsAt.toISOString(), '2026-12-01T19:30:00.000Z');
    assert.equal(localHour(at('2026-11-01T06:30:00Z'), 'America/New_York').startsAt.toISOString(), '2026-11-01T06:00:00.000Z');
    assert.equal(localHour(at('2026-11-01T05:30:00Z'), 'America/New_York').startsAt.toISOString(), '2026-11-01T05:00:00.000Z');
  });

  it('finds the first instant of a local day', () => {
    assert.equal(dayStart('2026-12-02', 'Asia/Shanghai').toISOString(), '2026-12-01T16:00:00.000Z');
    assert.equal(dayStart('2026-12-02', 'America/New_York').toISOString(), '2026-12-02T05:00:00.000Z');
    assert.equal(dayStart('2026-12-02', 'Asia/Kolkata').toISOString(), '2026-12-01T18:30:00.000Z');
    assert.equal(dayStart('2026-03-08', 'America/New_York').toISOString(), '2026-03-08T05:00:00.000Z');
    assert.equal(dayStart('2026-03-09', 'America/New_York').toISOString(), '2026-03-09T04:00:00.000Z');
    // Chile springs forward at midnight: 2026-09-06 begins at 01:00 local (04:00Z)
    assert.equal(dayStart('2026-09-06', 'America/Santiago').toISOString(), '2026-09-06T04:00:00.000Z');
  });

  it('has 23, 24 or 25 hours', () => {
    const spring = dayHours('2026-03-08', 'America/New_York');
    assert.equal(spring.length, 23);
    assert.deepEqual(spring.map((h) => h.hour).slice(0, 4), [0, 1, 3, 4]);
    const fall = dayHours('2026-11-01', 'America/New_York');
    assert.equal(fall.length, 25);
    assert.deepEqual(fall.map((h) => h.hour).slice(0, 4), [0, 1, 1, 2]);
    assert.equal(fall[1]?.startsAt.toISOString(), '2026-11-01T05:00:00.000Z');
    assert.equal(fall[2]?.startsAt.toISOString(), '2026-11-01T06:00:00.000Z');
    const plain = dayHours('2026-12-01', 'Asia/Shanghai');
    assert.equal(plain.length, 24);
    assert.deepEqual(plain.map((h) => h.hour), [...Array(24).keys()]);
  });

  it('validates zones and dates', () => {
    assert.equal(canonicalZone('utc'), 'UTC');
    assert.equal(canonicalZone('Asia/Shanghai'), 'Asia/Shanghai');
    assert.equal(canonicalZone('Mars/Olympus_Mons'), undefined);
    assert.equal(canonicalZone(''), undefined);
    assert.equal(isLocalDate('2026-02-29'), false);
    assert.equal(isLocalDate('2028-02-29'), true);
    assert.equal(isLocalDate('2026-1-01'), false);
    assert.equal(addDays('2026-03-01', -7), '2026-02-22');
    assert.equal(addDays('2026-12-28', 7), '2027-01-04');
  });
});

describe('localDateAndHour', () => {
  it('equals localDate and localHour of the same instant (DST days, half-hour and 45-minute zones)', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    const from = Date.UTC(2026, 2, 28, 0, 0, 0, 123); // across the European and Lord Howe changes
    for (const zone of zones) {
      for (let t = from; t < from + 3 * 86_400_000; t += 17 * 60_000 + 7_000) {
        const at = new Date(t);
        const both = localDateAndHour(at, zone);
        assert.equal(both.date, localDate(at, zone), `${zone} ${at.toISOString()}`);
        assert.deepEqual({ hour: both.hour, startsAt: both.startsAt }, localHour(at, zone), `${zone} ${at.toISOString()}`);
      }
    }
  });
});

// Merchant time zones, ticket numbers and the stats aggregates on the real database, fed through the
// real event processor and read through the real HTTP API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createArchiveJob } from '../../src/archive/job';
import { markDish } from '../../src/dishes/mark';
import { selectDishForUpdate } from '../../src/dishes/select-dish-for-update';
import { localDate } from '../../src/local-time/zone';
import { silentLogger } from '../../src/log';
import { registerLateMerchantsGauge, sqlLateMerchants } from '../../src/stats/late-gauge';
import { count } from '../support/orders';
import { api, token } from '../support/screens';
import { startStatsKit, type StatsKit } from '../support/stats-kit';

let kit: StatsKit;
const manager = (m: string): string => token('manager', m);

before(async () => {
  kit = await startStatsKit('stats');
});
after(async () => {
  await kit.close();
});

async function stats(merchantId: string, date?: string): Promise<Record<string, unknown>> {
  const r = await api(kit.base, 'GET', `/api/merchants/${merchantId}/stats${date === undefined ? '' : `?date=${date}`}`, manager(merchantId));
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json;
}

async function setZone(merchantId: string, timeZone: string): Promise<void> {
  const r = await api(kit.base, 'PUT', `/api/merchants/${merchantId}/settings`, manager(merchantId), JSON.stringify({ timeZone }));
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

/**
 * A fixed-offset zone in which it is about noon now. The figures tests place orders minutes before
 * "now" and read "today": run in UTC a few minutes after midnight, those orders were yesterday's
 * (seen in CI at 00:03 UTC). Etc/GMT+N is N hours behind UTC (POSIX sign).
 */
function noonZone(now = new Date()): string {
  const ahead = ((12 - now.getUTCHours() + 36) % 24) - 12; // -12..11 hours from UTC
  return ahead === 0 ? 'Etc/GMT' : ahead > 0 ? `Etc/GMT-${ahead}` : `Etc/GMT+${-ahead}`;
}

async function order(orderId: string): Promise<Record<string, unknown>> {
  const r = await api(kit.base, 'GET', `/api/orders/${orderId}`, token('admin'));
  assert.equal(r.status, 200);
  return r.json;
}

type Hour = { hour: number; startsAt: string; orders: number; dishes: number };
const hourOf = (s: Record<string, unknown>, startsAt: string): Hour | undefined =>
  (s.byHour as Hour[]).find((h) => h.startsAt === startsAt);

describe('merchant settings', () => {
  it('PUT takes an IANA zone from a manager of that merchant or an admin', async () => {
    const put = (tok: string, m: string, b: unknown) => api(kit.base, 'PUT', `/api/merchants/${m}/settings`, tok, JSON.stringify(b));
    assert.equal((await put(manager('MS1'), 'MS1', { timeZone: 'Europe/Berlin' })).status, 200);
    assert.equal((await put(token('admin'), 'MS1', { timeZone: 'asia/tokyo' })).json.timeZone, 'Asia/Tokyo');
    const bad = await put(manager('MS1'), 'MS1', { timeZone: 'Mars/Olympus_Mons' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'bad_request');
    assert.equal((await put(manager('MS1'), 'MS1', {})).status, 400);
    assert.equal((await put(manager('MS2'), 'MS1', { timeZone: 'UTC' })).status, 403);
    assert.equal((await put(token('kitchen', 'MS1'), 'MS1', { timeZone: 'UTC' })).status, 403);
    assert.equal((await api(kit.base, 'PUT', '/api/merchants/MS1/settings', undefined, '{}')).status, 401);
    const got = await api(kit.base, 'GET', '/api/merchants/MS1/settings', manager('MS1'));
    assert.deepEqual(got.json, { merchantId: 'MS1', timeZone: 'Asia/Tokyo', fireByPrepTime: false, language: null });
  });

  it('PUT takes the pages\' default language (400 for one the pages do not have); every screen of the merchant reads it', async () => {
    const put = (tok: string, m: string, b: unknown) => api(kit.base, 'PUT', `/api/merchants/${m}/settings`, tok, JSON.stringify(b));
    const lang = (tok: string, m = 'ML1') => api(kit.base, 'GET', `/api/merchants/${m}/language`, tok);
    assert.deepEqual((await lang(token('kitchen', 'ML1'))).json, { merchantId: 'ML1', language: null });
    const set = await put(manager('ML1'), 'ML1', { language: 'zh-CN' });
    assert.equal(set.status, 200);
    assert.equal(set.json.language, 'zh-CN');
    assert.equal(set.json.timeZone, 'UTC', 'the zone stays the default');
    for (const bad of ['fr', 'zh', 'ZH-cn', 7]) assert.equal((await put(manager('ML1'), 'ML1', { language: bad })).status, 400, String(bad));
    for (const role of ['kitchen', 'waiter', 'board', 'guest'] as const) {
      assert.equal((await lang(token(role, 'ML1', role === 'guest' ? 'O1' : undefined))).json.language, 'zh-CN', role);
    }
    assert.equal((await lang(token('kitchen', 'OTHER'))).status, 403);
    assert.equal((await put(manager('ML1'), 'ML1', { timeZone: 'Asia/Shanghai', language: 'en' })).json.language, 'en');
    assert.deepEqual((await api(kit.base, 'GET', '/api/merchants/ML1/settings', manager('ML1'))).json,
      { merchantId: 'ML1', timeZone: 'Asia/Shanghai', fireByPrepTime: false, language: 'en' });
  });
});

describe('local days, hours and ticket numbers', () => {
  it('Asia/Shanghai: orders either side of local midnight land on their own day and hour', async () => {
    await setZone('MSH', 'Asia/Shanghai');
    await kit.place({ orderId: 'sh-a', merchantId: 'MSH', placedAt: '2026-11-20T15:59:00.000Z' }); // 23:59 on the 20th
    await kit.place({ orderId: 'sh-b', merchantId: 'MSH', placedAt: '2026-11-20T16:01:00.000Z' }); // 00:01 on the 21st
    await kit.place({ orderId: 'sh-c', merchantId: 'MSH', placedAt: '2026-11-20T16:30:00.000Z' });
    const [a, b, c] = [await order('sh-a'), await order('sh-b'), await order('sh-c')];
    assert.deepEqual([a.ticketNo, b.ticketNo, c.ticketNo], [1, 1, 2]);
    assert.equal(a.placedAt, '2026-11-20T15:59:00.000Z');
    assert.equal(a.rush, false);
    const d20 = await stats('MSH', '2026-11-20');
    const d21 = await stats('MSH', '2026-11-21');
    assert.equal(d20.timeZone, 'Asia/Shanghai');
    assert.deepEqual([d20.orders, d20.dishes, d21.orders, d21.dishes], [1, 2, 2, 4]);
    assert.deepEqual(hourOf(d20, '2026-11-20T15:00:00.000Z'), { hour: 23, startsAt: '2026-11-20T15:00:00.000Z', orders: 1, dishes: 2 });
    assert.deepEqual(hourOf(d21, '2026-11-20T16:00:00.000Z'), { hour: 0, startsAt: '2026-11-20T16:00:00.000Z', orders: 2, dishes: 4 });
    assert.equal((d21.byHour as Hour[]).length, 24);
  });

  it('America/New_York: either side of local midnight, and both daylight-saving days', async () => {
    await setZone('MNY', 'America/New_York');
    await kit.place({ orderId: 'ny-a', merchantId: 'MNY', placedAt: '2026-11-21T04:59:00.000Z' }); // 23:59 on the 20th
    await kit.place({ orderId: 'ny-b', merchantId: 'MNY', placedAt: '2026-11-21T05:01:00.000Z' }); // 00:01 on the 21st
    assert.deepEqual([(await order('ny-a')).ticketNo, (await order('ny-b')).ticketNo], [1, 1]);
    assert.equal((await stats('MNY', '2026-11-20')).orders, 1);
    assert.equal(hourOf(await stats('MNY', '2026-11-20'), '2026-11-21T04:00:00.000Z')?.hour, 23);
    assert.equal(hourOf(await stats('MNY', '2026-11-21'), '2026-11-21T05:00:00.000Z')?.orders, 1);

    // fall back, 2026-11-01: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) are two different hours
    await kit.place({ orderId: 'ny-f1', merchantId: 'MNY', placedAt: '2026-11-01T05:30:00.000Z' });
    await kit.place({ orderId: 'ny-f2', merchantId: 'MNY', placedAt: '2026-11-01T06:30:00.000Z' });
    await kit.place({ orderId: 'ny-f3', merchantId: 'MNY', placedAt: '2026-11-02T04:30:00.000Z' }); // 23:30 EST, still the 1st
    const fall = await stats('MNY', '2026-11-01');
    assert.equal((fall.byHour as Hour[]).length, 25);
    assert.deepEqual(hourOf(fall, '2026-11-01T05:00:00.000Z'), { hour: 1, startsAt: '2026-11-01T05:00:00.000Z', orders: 1, dishes: 2 });
    assert.deepEqual(hourOf(fall, '2026-11-01T06:00:00.000Z'), { hour: 1, startsAt: '2026-11-01T06:00:00.000Z', orders: 1, dishes: 2 });
    assert.equal(hourOf(fall, '2026-11-02T04:00:00.000Z')?.hour, 23);
    assert.equal(fall.orders, 3);
    assert.equal((await order('ny-f3')).ticketNo, 3);

    // spring forward, 2026-03-08: 01:59 EST is followed by 03:00 EDT
    await kit.place({ orderId: 'ny-s1', merchantId: 'MNY', placedAt: '2026-03-08T06:59:00.000Z' });
    await kit.place({ orderId: 'ny-s2', merchantId: 'MNY', placedAt: '2026-03-08T07:00:00.000Z' });
    const spring = await stats('MNY', '2026-03-08');
    assert.equal((spring.byHour as Hour[]).length, 23);
    assert.ok(!(spring.byHour as Hour[]).some((h) => h.hour === 2), 'no 02:00 on a spring-forward day');
    assert.deepEqual((spring.byHour as Hour[]).filter((h) => h.orders > 0).map((h) => h.hour), [1, 3]);
  });

  it('a ticket number is stable: later versions keep it, and a new order of the day gets the next', async () => {
    await kit.place({ orderId: 'ny-b', merchantId: 'MNY', placedAt: '2026-11-21T05:01:00.000Z', tableNo: 'B2' }, 2);
    const b = await order('ny-b');
    assert.equal(b.version, 2);
    assert.equal(b.ticketNo, 1);
    await kit.place({ orderId: 'ny-c', merchantId: 'MNY', placedAt: '2026-11-21T05:00:30.000Z' });
    assert.equal((await order('ny-c')).ticketNo, 2, 'numbered in order of arrival, not of placedAt');
    assert.equal((await stats('MNY', '2026-11-21')).orders, 2);
  });

  it('the zone is the default MERCHANT_TIME_ZONE (here UTC) for merchants without a setting', async () => {
    await kit.place({ orderId: 'utc-a', merchantId: 'MUTC', placedAt: '2026-11-20T23:59:00.000Z' });
    const s = await stats('MUTC', '2026-11-20');
    assert.equal(s.timeZone, 'UTC');
    assert.equal(hourOf(s, '2026-11-20T23:00:00.000Z')?.orders, 1);
  });
});

describe('figures', () => {
  const FIG_ZONE = noonZone();
  before(() => setZone('MFIG', FIG_ZONE));

  it('ticket and serve times, late dishes, a recall taking its ticket time back', async () => {
    const placedAt = new Date(Date.now() - 300_000).toISOString();
    await kit.place({ orderId: 'fig-a', merchantId: 'MFIG', placedAt });
    const mark = (itemId: string, target: 'READY' | 'SERVED') => markDish({ work: kit.work }, { itemId, target, mayAccess: () => true });
    await mark('fig-a-1', 'READY');
    const today = localDate(new Date(), FIG_ZONE);
    let s = await stats('MFIG');
    assert.equal(s.date, today);
    const t = s.ticketSeconds as { p50: number; p90: number };
    assert.ok(t.p50 >= 300 && t.p50 <= 315, `ticket p50 ${t.p50} in the 300 s bucket`);
    assert.deepEqual(s.serveSeconds, { p50: null, p90: null });
    assert.deepEqual((s.byStation), [
      { station: 'bar', dishes: 1, ticketSeconds: { p50: null, p90: null } },
      { station: 'wok', dishes: 1, ticketSeconds: t },
    ]);
    assert.equal(s.late, 0);
    await mark('fig-a-1', 'SERVED');
    s = await stats('MFIG');
    assert.equal(s.served, 1);
    assert.equal((s.serveSeconds as { p50: number }).p50, 15);

    // a recall as the kitchen's recall does it: back to WAITING in one unit of work
    await mark('fig-a-2', 'READY');
    assert.equal((await stats('MFIG')).ticketSeconds !== null, true);
    await kit.work.run(async (tx) => {
      const row = await selectDishForUpdate(tx.conn, 'fig-a-2');
      assert.ok(row);
      await tx.conn.query("UPDATE dishes SET state = 'WAITING', ready_at = NULL WHERE item_id = ?", ['fig-a-2']);
      tx.touchDishes('dish', [row.item_id]);
    });
    s = await stats('MFIG');
    const bar = (s.byStation as { station: string; ticketSeconds: unknown }[]).find((x) => x.station === 'bar');
    assert.deepEqual(bar?.ticketSeconds, { p50: null, p90: null }, 'the recall took the bar ticket time back');

    // cooked 20 minutes after being placed: late
    await kit.place({ orderId: 'fig-b', merchantId: 'MFIG', placedAt: new Date(Date.now() - 1_200_000).toISOString() });
    await mark('fig-b-1', 'READY');
    s = await stats('MFIG');
    assert.equal(s.late, 1);
    assert.equal(s.orders, 2);
  });

  it('duplicated and replayed events, and marks repeated, change no figure', async () => {
    const days = ['2026-11-20', '2026-11-21', '2026-11-01', '2026-03-08'];
    const before = await Promise.all(days.map((d) => stats('MNY', d)));
    const figBefore = await stats('MFIG');
    // a newer version that changes nothing the figures count: applied and logged, no figure moves
    const { outcome, event } = await kit.place({ orderId: 'ny-b', merchantId: 'MNY', placedAt: '2026-11-21T05:01:00.000Z', tableNo: 'B3' }, 3);
    assert.equal(outcome, 'applied');
    // a duplicate: the same event again, and the same version under another event id
    assert.equal(await kit.feed(event), 'duplicate');
    assert.equal(await kit.feed({ ...event, eventId: 'dup-ny-b-3' }), 'duplicate');
    // a replay from days back: every stored order's first event again
    for (const id of ['ny-a', 'ny-b', 'ny-f1', 'ny-f2', 'ny-f3', 'ny-s1', 'ny-s2', 'ny-c', 'fig-a', 'fig-b']) {
      const merchantId = id.startsWith('ny') ? 'MNY' : 'MFIG';
      const out = await kit.feed({ eventId: `replay-${id}`, type: 'ORDER_PLACED', orderId: id, merchantId, version: 1, occurredAt: new Date().toISOString() });
      assert.equal(out, 'duplicate');
    }
    await markDish({ work: kit.work }, { itemId: 'fig-a-1', target: 'SERVED', mayAccess: () => true });
    // the recorder run again over changes already recorded adds nothing either
    await kit.work.run(async (tx) => {
      const row = await selectDishForUpdate(tx.conn, 'fig-b-1');
      assert.ok(row);
      tx.touchDishes('dish', [row.item_id]);
    });
    assert.deepEqual(await Promise.all(days.map((d) => stats('MNY', d))), before);
    assert.deepEqual(await stats('MFIG'), figBefore);
  });

  it('an order is counted once, by the transaction that numbers it, and keeps no mark', async () => {
    const placedAt = new Date(Date.now() - 60_000).toISOString();
    const first = await kit.place({ orderId: 'once-a', merchantId: 'MONCE', placedAt });
    assert.equal(first.outcome, 'applied');
    // later versions, a duplicate and a replay of the first event: the order is numbered already
    assert.equal((await kit.place({ orderId: 'once-a', merchantId: 'MONCE', placedAt, tableNo: 'C1' }, 2)).outcome, 'applied');
    assert.equal(await kit.feed(first.event), 'duplicate');
    assert.equal((await kit.place({ orderId: 'once-b', merchantId: 'MONCE', placedAt }, 1)).outcome, 'applied');
    const s = await stats('MONCE');
    assert.equal(s.orders, 2);
    assert.equal((s.byHour as Hour[]).reduce((n, h) => n + h.orders, 0), 2);
    assert.equal(await count(kit.db.pool, "SELECT COUNT(*) AS n FROM stats_marks WHERE kind = 'O'"), 0, 'no order marks are written');
    assert.equal(await count(kit.db.pool, "SELECT COUNT(*) AS n FROM stats_marks WHERE kind = 'D' AND id LIKE 'once-%'"), 4, 'a mark per dish');
  });

  it('a merchant whose only orders were yesterday shows zeros today, and last week where it had data', async () => {
    const now = new Date();
    const yesterday = new Date(now.getTime() - 86_400_000);
    await kit.place({ orderId: 'yd-a', merchantId: 'MYD', placedAt: yesterday.toISOString() });
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    await kit.place({ orderId: 'yd-w', merchantId: 'MYD', placedAt: weekAgo.toISOString() });
    const s = await stats('MYD');
    assert.equal(s.date, localDate(now, 'UTC'));
    assert.deepEqual(
      [s.orders, s.dishes, s.served, s.cancelled, s.late, s.ticketSeconds, s.serveSeconds, s.byStation],
      [0, 0, 0, 0, 0, { p50: null, p90: null }, { p50: null, p90: null }, []],
    );
    assert.ok((s.byHour as Hour[]).every((h) => h.orders === 0 && h.dishes === 0));
    const lastWeek = s.lastWeek as Record<string, unknown>;
    assert.equal(lastWeek.date, localDate(weekAgo, 'UTC'));
    assert.equal(lastWeek.orders, 1);
    assert.equal(lastWeek.lastWeek, null);
    assert.equal((await stats('MYD', localDate(yesterday, 'UTC'))).orders, 1);
    assert.equal((await stats('MYD', localDate(yesterday, 'UTC'))).lastWeek, null, 'nothing recorded a week before yesterday');
  });

  it('daily figures of a range as JSON and CSV', async () => {
    const csv = await fetch(`${kit.base}/api/merchants/MNY/stats/daily.csv?from=2026-11-19&to=2026-11-21`, {
      headers: { authorization: `Bearer ${manager('MNY')}` },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    assert.deepEqual(lines.map((l) => l.split(',').slice(0, 3).join(',')), [
      'date,orders,dishes', '2026-11-19,0,0', '2026-11-20,1,2', '2026-11-21,2,4',
    ]);
    // ?lang=zh-CN: the same rows under a Chinese header, with a BOM for Excel; an unknown lang is refused
    const zh = await fetch(`${kit.base}/api/merchants/MNY/stats/daily.csv?from=2026-11-19&to=2026-11-21&lang=zh-CN`, {
      headers: { authorization: `Bearer ${manager('MNY')}` },
    });
    assert.equal(zh.status, 200);
    const zhBytes = Buffer.from(await zh.arrayBuffer());
    assert.deepEqual([...zhBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
    const zhLines = zhBytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    assert.deepEqual(zhLines.map((l) => l.split(',').slice(0, 3).join(',')), [
      '日期,订单数,菜品数', '2026-11-19,0,0', '2026-11-20,1,2', '2026-11-21,2,4',
    ]);
    assert.deepEqual(zhLines.slice(1), lines.slice(1), 'the figures do not depend on the language');
    const badLang = await fetch(`${kit.base}/api/merchants/MNY/stats/daily.csv?lang=fr`, { headers: { authorization: `Bearer ${manager('MNY')}` } });
    assert.equal(badLang.status, 400);
    const json = await api(kit.base, 'GET', '/api/merchants/MNY/stats/daily?from=2026-10-30&to=2026-11-02', manager('MNY'));
    assert.deepEqual((json.json.days as { date: string; orders: number }[]).map((d) => [d.date, d.orders]),
      [['2026-10-30', 0], ['2026-10-31', 0], ['2026-11-01', 3], ['2026-11-02', 0]]);
    const tooLong = await api(kit.base, 'GET', '/api/merchants/MNY/stats/daily?from=2025-01-01&to=2026-11-02', manager('MNY'));
    assert.equal(tooLong.status, 400);
    assert.equal((await api(kit.base, 'GET', '/api/merchants/MNY/stats?date=2026-02-30', manager('MNY'))).status, 400);
    assert.equal((await api(kit.base, 'GET', '/api/merchants/MNY/stats', token('kitchen', 'MNY'))).status, 403);
    assert.equal((await api(kit.base, 'GET', '/api/merchants/MNY/stats', manager('MSH'))).status, 403);
    assert.equal((await api(kit.base, 'GET', '/api/merchants/MNY/stats', token('admin'))).status, 200);
  });

  it('open tickets: live station load, late dishes, and the late-merchants gauge', async () => {
    const live = await api(kit.base, 'GET', '/api/merchants/MFIG/stats/live', manager('MFIG'));
    assert.equal(live.status, 200);
    const stations = live.json.stations as { station: string; waiting: number; ready: number; late: number }[];
    // fig-a: wok served, bar recalled to WAITING (placed 5 min ago); fig-b: wok READY, bar WAITING for 20 min
    assert.deepEqual(stations.map((s) => [s.station, s.waiting, s.ready, s.late]), [['bar', 2, 0, 1], ['wok', 0, 1, 0]]);
    assert.deepEqual((live.json.lateDishes as { itemId: string }[]).map((d) => d.itemId), ['fig-b-2']);
    const registry = new Registry();
    registerLateMerchantsGauge(registry, sqlLateMerchants(kit.db.pool, 900, 3));
    const text = await registry.metrics();
    // late WAITING dishes within 3 days: MFIG (fig-b-2) and MYD (yesterday's order)
    assert.match(text, /^kds_merchants_with_late_tickets 2$/m);
    assert.match(text, /^kds_late_ticket_oldest_seconds (\d+(\.\d+)?)$/m);
    assert.ok(Number(/^kds_late_ticket_oldest_seconds (\S+)$/m.exec(text)?.[1]) > 86_000);
  });

  it('the figures survive the archive job', async () => {
    const days = ['2026-11-20', '2026-11-21', '2026-11-01', '2026-03-08'];
    const before = await Promise.all(days.map((d) => stats('MNY', d)));
    const job = createArchiveJob({ pool: kit.db.pool, log: silentLogger, afterDays: 7 });
    await job.runOnce();
    assert.equal(await count(kit.db.pool, "SELECT COUNT(*) AS n FROM orders WHERE merchant_id = 'MNY'"), 0, 'the orders were archived');
    assert.ok(await count(kit.db.pool, "SELECT COUNT(*) AS n FROM orders_archive WHERE merchant_id = 'MNY' AND ticket_no IS NOT NULL") >= 8);
    assert.deepEqual(await Promise.all(days.map((d) => stats('MNY', d))), before);
  });
});

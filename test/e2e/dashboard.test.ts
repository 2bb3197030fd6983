// The manager dashboard in real headless Chromium against a real server and database, with the
// server's clock set just before a merchant's local midnight: the page rolls over to the new day by
// itself and never shows the old day's numbers as today's. Screenshots under .cache/screens/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertNoPageErrors, launchChromium, watchPage } from '../support/browser';
import { addDays, dayStart } from '../../src/local-time/zone';
import { api, token } from '../support/screens';
import { startStatsKit, type StatsKit } from '../support/stats-kit';

const SHOTS = '.cache/screens';
const ZONE = 'Asia/Shanghai';
const DAY = '2026-11-25';
// the server's clock: a minute before local midnight after DAY, running; the test moves it on
let started = Date.now();
let shift = 0;
const midnight = dayStart(addDays(DAY, 1), ZONE).getTime();
const clock = (): Date => new Date(midnight - 60_000 + (Date.now() - started) + shift);

let kit: StatsKit;
let browser: Browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  kit = await startStatsKit('dashboard', { clock });
  const put = await api(kit.base, 'PUT', '/api/merchants/MDASH/settings', token('manager', 'MDASH'), JSON.stringify({ timeZone: ZONE }));
  assert.equal(put.status, 200);
  // two orders at noon of DAY (04:00Z), one on the same weekday a week earlier
  await kit.place({ orderId: 'dash-1', merchantId: 'MDASH', placedAt: '2026-11-25T04:00:00.000Z' });
  await kit.place({ orderId: 'dash-2', merchantId: 'MDASH', placedAt: '2026-11-25T04:20:00.000Z' });
  await kit.place({ orderId: 'dash-w', merchantId: 'MDASH', placedAt: '2026-11-18T05:00:00.000Z' });
  browser = await launchChromium();
  started = Date.now(); // the clock starts a minute before midnight now that everything is set up
});

after(async () => {
  await browser?.close();
  await kit?.close();
});

// a page that throws, or logs an error, fails the test that opened it
afterEach(assertNoPageErrors);

async function open(width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  watchPage(page, '/dashboard');
  await page.goto(`${kit.base}/dashboard?token=${token('manager', 'MDASH')}`);
  return page;
}

const tileValue = (page: Page, label: string): Promise<string> =>
  page.locator('.tile', { has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value').innerText();

describe('dashboard', () => {
  it('shows the day, then rolls over at local midnight to zeros and "no orders yet today"', async () => {
    const page = await open(1280, 800);
    await page.locator('#day', { hasText: DAY }).waitFor({ timeout: 5000 });
    assert.equal(await tileValue(page, 'Orders'), '2');
    assert.equal(await tileValue(page, 'Dishes'), '4');
    assert.match(await page.locator('#lw-label').innerText(), /2026-11-18/);
    assert.ok(await page.locator('#empty-day').isHidden());
    assert.equal(await page.locator('#hours-chart canvas').count(), 1, 'uPlot drew the hours chart');
    assert.equal(await page.locator('#hours tbody tr', { hasText: '12:00' }).locator('td.num').first().innerText(), '2');
    assert.equal(await page.locator('#hours tbody tr', { hasText: '13:00' }).innerText().then((t) => t.includes('nothing yet')), true);
    // each figure stands under its own heading: the numeric headings align right like their figures
    // a string: tsx would wrap named functions in a helper the page does not have
    const edges = await page.evaluate<Record<'ordersHead' | 'dishesHead' | 'orders' | 'dishes', { left: number; right: number }>>(`(() => {
      const box = (e) => { const r = document.createRange(); if (e) r.selectNodeContents(e); const b = r.getBoundingClientRect(); return { left: Math.round(b.left), right: Math.round(b.right) }; };
      const heads = document.querySelectorAll('#hours thead th');
      const row = [...document.querySelectorAll('#hours tbody tr')].find((r) => r.querySelector('td.num'));
      const cells = row ? row.querySelectorAll('td.num') : [];
      return { ordersHead: box(heads[1]), dishesHead: box(heads[2]), orders: box(cells[0]), dishes: box(cells[1]) };
    })()`);
    assert.ok(edges.orders.right <= edges.ordersHead.right + 1 && edges.orders.right < edges.dishesHead.left,
      `the orders figure sits under Orders: ${JSON.stringify(edges)}`);
    assert.ok(edges.dishes.right <= edges.dishesHead.right + 1 && edges.dishes.left > edges.ordersHead.right, `dishes under Dishes: ${JSON.stringify(edges)}`);
    await page.screenshot({ path: `${SHOTS}/dashboard-1280x800-before-midnight.png` });

    // three seconds before midnight: the page sees it at its next refresh, then the day turns
    shift = midnight - 3000 - clock().getTime();
    const next = addDays(DAY, 1);
    await page.locator('#day', { hasText: next }).waitFor({ timeout: 15_000 });
    assert.equal(await tileValue(page, 'Orders'), '0');
    assert.equal(await tileValue(page, 'Dishes'), '0');
    assert.equal(await tileValue(page, 'Ticket p50'), '—');
    assert.ok(await page.locator('#empty-day', { hasText: 'No orders yet today' }).isVisible());
    // no station has anything today (DAY's open dishes are older than the board's horizon here)
    await page.locator('#stations tbody td.nothing', { hasText: 'nothing yet' }).first().waitFor({ timeout: 5000 });
    assert.equal(await page.locator('#stations tbody td.num').count(), 0);
    assert.equal(await page.locator('#hours tbody td.num').count(), 0, 'no hour of the new day has figures');
    await page.screenshot({ path: `${SHOTS}/dashboard-1280x800-after-midnight.png` });
    await page.close();
  });

  it('a merchant whose only orders were yesterday shows zeros today, also on a 390 px phone', async () => {
    const page = await open(390, 844);
    await page.locator('#day', { hasText: addDays(DAY, 1) }).waitFor({ timeout: 5000 });
    assert.equal(await tileValue(page, 'Orders'), '0');
    assert.ok(await page.locator('#empty-day').isVisible());
    assert.match(await page.locator('#lw-label').innerText(), /no data/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow} px)`);
    await page.screenshot({ path: `${SHOTS}/dashboard-390x844.png`, fullPage: true });

    // the display controls every screen has: 2× text and high contrast, remembered on the device
    await page.locator('#display-btn').click();
    await page.locator('#display-panel button[data-scale="2"]').click();
    await page.locator('#display-panel button.contrast').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.scale), '2');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.contrast), 'high');
    await page.reload();
    await page.locator('#day', { hasText: addDays(DAY, 1) }).waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.scale), '2', 'remembered across a reload');
    const overflow2x = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow2x <= 0, `no horizontal scroll at 2× (overflow ${overflow2x} px)`);
    await page.screenshot({ path: `${SHOTS}/dashboard-390x844-2x-contrast.png`, fullPage: true });
    await page.close();
  });
});

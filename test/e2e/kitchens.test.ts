// Screens in every kitchen (issue 21) in real headless Chromium against a real server and
// database: Chinese that renders, the all-day bar on a 1280 px tablet, the dashboard's by-hour
// table. Screenshots go to .cache/screens/ (look at them: a missing CJK font shows empty boxes).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { type TestDb } from '../support/db';
import { seedOrder, token, type Running } from '../support/screens';
import { closeE2e, openE2e, SHOTS } from '../support/e2e-stack';

const TABLET = { width: 1280, height: 800 };
let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('kitchens'));
});

after(() => closeE2e({ db, srv, browser }));

async function open(pathname: string, viewport = TABLET): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on('pageerror', (err) => process.stderr.write(`page error on ${pathname}: ${err.message}\n`));
  await page.goto(srv.base + pathname);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

const CHINESE = ['宫保鸡丁', '麻婆豆腐', '干炒牛河', '鱼香肉丝', '回锅肉', '水煮鱼', '小笼包', '扬州炒饭', '酸辣汤', '糖醋排骨', '北京烤鸭', '清炒时蔬'];

describe('Chinese that renders', () => {
  it('the kitchen page draws Chinese dish names with a CJK font, and the all-day bar fits a 1280 px tablet', async () => {
    for (let i = 0; i < 9; i++) {
      await seedOrder(db.pool, {
        orderId: `C${i}`, merchantId: 'CN', tableNo: String(i + 1), placedAt: new Date(Date.now() - (10 - i) * 60_000),
        dishes: [0, 1, 2].map((j) => ({ itemId: `C${i}${j}`, name: CHINESE[(i * 3 + j) % CHINESE.length] ?? '', station: '炒锅', quantity: 1 + j })),
      }, srv.hub);
    }
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'CN')}`);
    await kitchen.locator('[data-item="C82"]').waitFor();
    await shot(kitchen, 'kitchen-chinese-1280x800');
    const font = await kitchen.evaluate(() => getComputedStyle(document.querySelector('.dish .name') as Element).fontFamily);
    assert.match(font, /Noto Sans CJK SC/);
    assert.match(font, /PingFang SC/);
    // a face that has the glyphs: Chromium reports it loaded for the text
    assert.equal(await kitchen.evaluate(() => document.fonts.check('20px "Noto Sans CJK SC"', '宫保鸡丁')), true);
    const bar = await kitchen.evaluate(() => {
      const a = document.getElementById('allday') as HTMLElement;
      const last = a.lastElementChild?.getBoundingClientRect();
      return { scroll: a.scrollWidth, client: a.clientWidth, lastRight: last?.right ?? 0, width: innerWidth, counts: a.querySelectorAll('.count').length };
    });
    assert.equal(bar.counts, CHINESE.length);
    assert.ok(bar.scroll <= bar.client, `all-day bar overflows: ${bar.scroll} > ${bar.client}`);
    assert.ok(bar.lastRight <= bar.width, `the last count ends at ${bar.lastRight} px, past ${bar.width}`);
    const inView = await kitchen.evaluate(() => Array.from(document.querySelectorAll('.ticket')).filter((t) => {
      const r = t.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    }).length);
    assert.ok(inView >= 8, `${inView} tickets fully in view at 1280x800`);
    await kitchen.close();
  });
});

describe('display', () => {
  it('text at 2× still shows four tickets on a 1280x800 tablet; high contrast; age by an icon and a pattern, not colour alone; remembered', async () => {
    for (let i = 0; i < 6; i++) {
      await seedOrder(db.pool, {
        orderId: `D${i}`, merchantId: 'DS', tableNo: String(i + 1), placedAt: new Date(Date.now() - (i === 0 ? 20 : 6 - i) * 60_000),
        dishes: [0, 1, 2].map((j) => ({ itemId: `D${i}${j}`, name: CHINESE[(i + j) % CHINESE.length] ?? '', quantity: 1 + j })),
      }, srv.hub);
    }
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'DS')}&scale=2&warnAhead=630&late=900`);
    await kitchen.locator('[data-item="D52"]').waitFor();
    assert.equal(await kitchen.evaluate(() => getComputedStyle(document.documentElement).fontSize), '40px');
    const inView = await kitchen.evaluate(() => Array.from(document.querySelectorAll('.ticket')).filter((t) => {
      const r = t.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    }).length);
    await shot(kitchen, 'kitchen-2x-1280x800');
    assert.ok(inView >= 4, `${inView} tickets fully in view at 2× on 1280x800`);
    assert.equal(await kitchen.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'no sideways scroll');
    // the late ticket: an icon and a stripe pattern besides its colour
    const late = await kitchen.evaluate(() => {
      const t = document.querySelector('[data-order="D0"]') as Element;
      return {
        cls: t.className,
        icon: getComputedStyle(t.querySelector('.timer') as Element, '::before').content,
        pattern: getComputedStyle(t.querySelector('header') as Element).backgroundImage,
      };
    });
    assert.match(late.cls, /late/);
    assert.equal(late.icon, '"⚠ "');
    assert.match(late.pattern, /repeating-linear-gradient/);
    const warn = await kitchen.evaluate(() => getComputedStyle(document.querySelector('[data-order="D1"] .timer') as Element, '::before').content);
    assert.equal(warn, '"◔ "');

    // the panel: high contrast, remembered on the device across a reload without the URL knobs
    await kitchen.locator('#display-btn').click();
    await kitchen.locator('#display-panel .contrast').click();
    await kitchen.goto(`${srv.base}/kitchen`);
    await kitchen.locator('[data-item="D52"]').waitFor();
    assert.equal(await kitchen.evaluate(() => document.documentElement.dataset.contrast), 'high');
    assert.equal(await kitchen.evaluate(() => document.documentElement.dataset.scale), '2');
    await shot(kitchen, 'kitchen-2x-contrast-1280x800');
    await kitchen.close();

    const waiter = await open(`/waiter?token=${token('waiter', 'DS')}&scale=1.5&contrast=high`, { width: 390, height: 844 });
    await waiter.locator('#status[data-state="live"]').waitFor();
    assert.equal(await waiter.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'no sideways scroll on the phone');
    await shot(waiter, 'waiter-1.5x-contrast-390x844');
    await waiter.close();
  });
});

// Languages on the line (contract "Screens in every kitchen", issue 21 item 1): the kitchen tablet
// (1280x800), the waiter's phone (390x844) and the pass (1280x800), in real headless Chromium, in
// zh-CN and en, show no text outside that language's catalogue (text from data is marked
// translate="no"), in every state a cook or waiter meets: held courses, the view by dish, a rush, a
// late ticket, take-away and delivery with pickup times, a toast, the display panel, the offline
// banner with a kept tap and a refused one, the waiter's undo bar and pull call, empty pages. The
// language is remembered on the device; the kitchen shows the menu's short name of a dish.
// Screenshots: .cache/screens/*-{zh-CN,en}-*.png.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parseOrderDetails } from '../../src/order-service/details';
import { allowPageErrors, assertNoPageErrors, watchPage } from '../support/browser';
import { type TestDb } from '../support/db';
import { api, applyAnswer, seedOrder, token, waitUntil, type Running } from '../support/screens';
import { strayText } from '../support/stray-text';
import { closeE2e, openE2e, SHOTS } from '../support/e2e-stack';

const TABLET = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const LANGS = ['zh-CN', 'en'] as const;
type Lang = (typeof LANGS)[number];
let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('langline'));
});

after(() => closeE2e({ db, srv, browser }));

afterEach(async () => {
  // closed even when the test failed: a page left open would log its errors into the next test
  for (const ctx of contexts.splice(0)) await ctx.close();
  assertNoPageErrors();
});

const ago = (s: number): Date => new Date(Date.now() - s * 1000);
const later = (s: number): Date => new Date(Date.now() + s * 1000);
const call = (method: string, p: string, tok: string, body?: unknown) =>
  api(srv.base, method, p, tok, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'content-type': 'application/json' });
const stateOf = async (itemId: string): Promise<string> => {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT state FROM dishes WHERE item_id = ?', [itemId]);
  return String(rows[0]?.state);
};

const contexts: BrowserContext[] = [];
async function context(viewport: { width: number; height: number }): Promise<BrowserContext> {
  // an en-US browser: without ?lang= it would show English, so Chinese comes from the choice alone
  const ctx = await browser.newContext({ locale: 'en-US', viewport, deviceScaleFactor: 1 });
  contexts.push(ctx);
  return ctx;
}

async function open(ctx: BrowserContext, url: string): Promise<Page> {
  const page = watchPage(await ctx.newPage(), url);
  await page.goto(srv.base + url);
  return page;
}

/** No text outside the language's catalogue, in `lang`; `where` names the state in the message. */
async function assertCatalogued(page: Page, lang: Lang, where: string): Promise<void> {
  const { lang: shown, stray } = await strayText(page);
  assert.equal(shown, lang, `${where}: the page's language`);
  assert.deepEqual(stray, [], `${where}: text outside the ${lang} catalogue`);
}

/** The page does not scroll sideways, and no button's text is wider than the button. */
async function assertFits(page: Page, where: string): Promise<void> {
  const r = await page.evaluate(() => ({
    sideways: document.documentElement.scrollWidth > window.innerWidth,
    clipped: Array.from(document.querySelectorAll('button'))
      .filter((b) => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1)
      .map((b) => b.textContent),
  }));
  assert.deepEqual(r, { sideways: false, clipped: [] }, `${where}: fits the screen`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

/** The language stays after ?lang= is gone from the address (a new visit of the page). */
async function assertRemembered(ctx: BrowserContext, pathname: string, lang: Lang, heading: string): Promise<void> {
  const again = await open(ctx, pathname);
  await again.locator('#status[data-state="live"]').waitFor();
  assert.equal(await again.evaluate(() => document.documentElement.lang), lang, `${pathname}: remembered`);
  assert.equal(await again.locator('h1').innerText(), heading);
  await again.close();
}

const KITCHEN = {
  'zh-CN': { heading: '厨房', bump: '整单出餐 ✓', held: '叫起 · 第 2 道', fire: '起菜', rush: '催', byDish: '按菜品', takeaway: /外带 · \d\d:\d\d 取餐/, delivery: /外卖 · 美团 · \d\d:\d\d 取餐/ },
  en: { heading: 'Kitchen', bump: 'Bump ✓', held: 'Held · course 2', fire: 'Fire', rush: 'RUSH', byDish: 'By dish', takeaway: /Take-away · pickup \d\d:\d\d/, delivery: /Delivery · 美团 · pickup \d\d:\d\d/ },
};

describe('the kitchen, waiter and pass pages in zh-CN and en', () => {
  for (const lang of LANGS) {
    it(`kitchen tablet (1280x800) in ${lang}: tickets, held course, rush, late, channels, a toast, display panel, by dish, offline and refused taps`, async () => {
      const M = `K${lang === 'en' ? 'E' : 'Z'}`;
      const words = KITCHEN[lang];
      const manager = token('manager', M);
      const kitchen = token('kitchen', M);
      assert.equal((await call('PUT', `/api/merchants/${M}/menu/FR`, manager, { prepSeconds: 600, shortName: '炒饭' })).status, 200);
      await seedOrder(db.pool, { orderId: `${M}1`, merchantId: M, tableNo: '12', placedAt: ago(1200), dishes: [
        { itemId: `${M}1a`, dishId: 'KP', name: '宫保鸡丁', station: 'wok' }, { itemId: `${M}1b`, name: '拍黄瓜', station: 'cold', state: 'READY' },
        { itemId: `${M}1c`, name: '清蒸鲈鱼', station: 'wok', course: 2, held: true },
      ] }, srv.hub);
      await seedOrder(db.pool, { orderId: `${M}2`, merchantId: M, tableNo: null, channel: 'TAKEAWAY', pickupAt: later(900), placedAt: ago(60),
        dishes: [{ itemId: `${M}2a`, dishId: 'KP', name: '宫保鸡丁', station: 'wok', quantity: 2 }] }, srv.hub);
      await seedOrder(db.pool, { orderId: `${M}3`, merchantId: M, tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt: later(1800), placedAt: ago(30),
        dishes: [{ itemId: `${M}3a`, dishId: 'FR', name: '扬州炒饭', station: 'wok' }, { itemId: `${M}3b`, name: 'Gyoza', station: 'grill' }] }, srv.hub);
      await db.pool.query("UPDATE dishes SET note = '少辣 no peanuts' WHERE item_id = ?", [`${M}1c`]);
      assert.equal((await call('POST', `/api/orders/${M}2/rush`, kitchen)).status, 200);

      const ctx = await context(TABLET);
      const page = await open(ctx, `/kitchen?lang=${lang}&token=${kitchen}`);
      await page.locator(`[data-item="${M}3a"]`).waitFor();
      await page.locator('#status[data-state="live"]').waitFor();
      await page.locator(`.ticket[data-order="${M}1"] .held-dishes [data-item="${M}1c"]`).waitFor();
      assert.equal(await page.locator('h1').innerText(), words.heading);
      assert.equal(await page.locator(`[data-bump="${M}1"]`).innerText(), words.bump);
      assert.equal(await page.locator(`.ticket[data-order="${M}1"] .held-title`).innerText(), words.held);
      assert.equal(await page.locator(`[data-fire="${M}1:2"]`).innerText(), words.fire);
      assert.equal(await page.locator(`.ticket[data-order="${M}1"].late`).count(), 1, 'the 20-minute-old ticket is late');
      assert.equal(await page.locator(`.ticket[data-order="${M}2"] .rush-flag`).innerText(), words.rush);
      assert.match(await page.locator(`.ticket[data-order="${M}2"] .table`).innerText(), words.takeaway);
      assert.match(await page.locator(`.ticket[data-order="${M}3"] .table`).innerText(), words.delivery);
      // the menu's short name, the full name kept as the title; dishes without one show their name
      const short = page.locator(`[data-item="${M}3a"] .name bdi`);
      assert.deepEqual([await short.innerText(), await short.getAttribute('title')], ['炒饭', '扬州炒饭']);
      assert.equal(await page.locator(`[data-item="${M}3b"] .name bdi`).innerText(), 'Gyoza');
      await assertCatalogued(page, lang, 'kitchen tickets');
      await assertFits(page, 'kitchen tickets');
      await shot(page, `kitchen-${lang}-1280x800`);

      // a toast (the recall key with nothing to recall) and the display panel
      await page.keyboard.press('u');
      await page.locator('#toast:not([hidden])').waitFor();
      await page.locator('#display-btn').click();
      await page.locator('#display-panel:not([hidden])').waitFor();
      await assertCatalogued(page, lang, 'kitchen with a toast and the display panel');
      await shot(page, `kitchen-${lang}-toast-display`);
      await page.locator('#display-btn').click();

      // the view by dish: one card per batch, the short name on its card
      await page.locator('#view').click();
      const card = page.locator('.batch[data-batch="KP"]');
      await card.waitFor();
      assert.equal(await card.locator('.portions').innerText(), '3');
      assert.equal(await page.locator('.batch[data-batch="FR"] .name').innerText(), '炒饭');
      assert.equal(await page.locator('.batch[data-batch="FR"] .chosen').innerText(), lang === 'en' ? '1 portion' : '1 份', 'one portion, not "1 portions"');
      await card.locator('.step').first().click();
      assert.equal(await card.locator('.chosen').getAttribute('data-chosen'), '2');
      await assertCatalogued(page, lang, 'kitchen by dish');
      await assertFits(page, 'kitchen by dish');
      await shot(page, `kitchen-${lang}-by-dish`);
      await page.locator('#view').click();
      assert.equal(await page.locator('#view').innerText(), words.byDish);

      // offline: the banner, a kept tap (its toast) on a dish the waiter meanwhile served, refused once back
      // the socket cannot reconnect while offline, and the refused tap is a 409: errors the page logs
      allowPageErrors(/ERR_INTERNET_DISCONNECTED/, /409/);
      await ctx.setOffline(true);
      await page.locator('#offline[data-state="offline"]').waitFor({ timeout: 15_000 });
      assert.equal((await call('POST', `/api/dishes/${M}3b/ready`, kitchen)).status, 200);
      assert.equal((await call('POST', `/api/dishes/${M}3b/served`, token('waiter', M))).status, 200);
      await page.locator(`[data-item="${M}3b"][data-state="WAITING"]`).click();
      await page.locator('#offline[data-waiting="1"]').waitFor();
      await page.locator('#toast:not([hidden])').waitFor();
      assert.equal(await page.locator('#offline .waiting').innerText(), lang === 'en' ? '1 tap waiting to be sent' : '1 个操作待发送');
      await assertCatalogued(page, lang, 'kitchen offline with a kept tap');
      await shot(page, `kitchen-${lang}-offline`);
      await ctx.setOffline(false);
      await page.locator('#offline[data-refused="1"][data-waiting="0"]').waitFor({ timeout: 30_000 });
      assert.equal(await stateOf(`${M}3b`), 'SERVED', 'the refused tap changed nothing');
      await assertCatalogued(page, lang, 'kitchen with a refused tap');
      await assertFits(page, 'kitchen with a refused tap');
      await shot(page, `kitchen-${lang}-refused`);
      await page.close();

      await assertRemembered(ctx, '/kitchen', lang, words.heading);
      await ctx.close();
    });

    it(`waiter phone (390x844) in ${lang}: serve calls, courses, rush, delivery, undo, a pull call, empty`, async () => {
      const M = `W${lang === 'en' ? 'E' : 'Z'}`;
      const waiter = token('waiter', M);
      const upstream = (version: number, cancelled: boolean) => parseOrderDetails({
        orderId: `${M}1`, merchantId: M, tableNo: '8', status: 'PLACED', version, placedAt: ago(600).toISOString(), updatedAt: new Date().toISOString(),
        items: [
          { itemId: `${M}1a`, dishId: null, name: '水煮鱼', quantity: 1, station: 'wok', note: null, status: 'ACTIVE' },
          { itemId: `${M}1b`, dishId: null, name: '米饭', quantity: 3, station: 'wok', note: null, status: 'ACTIVE' },
          { itemId: `${M}1c`, dishId: null, name: '凉拌黄瓜', quantity: 1, station: 'cold', note: null, status: cancelled ? 'CANCELLED' : 'ACTIVE' },
          { itemId: `${M}1d`, dishId: null, name: '小笼包', quantity: 2, station: 'steam', note: null, status: 'ACTIVE', course: 2, hold: true },
        ],
      }, `${M}1`);
      await applyAnswer(db.pool, srv.hub, upstream(1, false));
      for (const id of ['a', 'b', 'c']) assert.equal((await call('POST', `/api/dishes/${M}1${id}/ready`, token('kitchen', M))).status, 200);
      await seedOrder(db.pool, { orderId: `${M}2`, merchantId: M, tableNo: null, channel: 'DELIVERY', platform: 'eleme', pickupAt: later(1800),
        dishes: [{ itemId: `${M}2a`, name: '扬州炒饭', station: 'wok' }] }, srv.hub);
      assert.equal((await call('POST', `/api/orders/${M}2/rush`, waiter)).status, 200);

      const ctx = await context(PHONE);
      const page = await open(ctx, `/waiter?lang=${lang}&token=${waiter}`);
      await page.locator(`[data-serve="${M}1a"]`).waitFor();
      await page.locator('#status[data-state="live"]').waitFor();
      await page.locator(`[data-fire="${M}1:2"]`).waitFor();
      await page.locator(`[data-serve-all="${M}1"]`).waitFor();
      assert.equal(await page.locator('h1').innerText(), lang === 'en' ? 'Serve' : '传菜');
      assert.equal(await page.locator(`[data-rush-btn="${M}2"]`).innerText(), lang === 'en' ? 'Rush ✕' : '取消催菜');
      await assertCatalogued(page, lang, 'waiter calls');
      await assertFits(page, 'waiter calls');
      await shot(page, `waiter-${lang}-390x844`);

      // served by a tap: the undo bar
      await page.locator(`[data-serve="${M}1a"]`).click();
      await page.locator(`[data-undo="${M}1a"]`).waitFor();
      assert.equal(await stateOf(`${M}1a`), 'SERVED');
      // a cooked dish cancelled upstream: take it off the pass
      await applyAnswer(db.pool, srv.hub, upstream(2, true));
      await page.locator(`[data-pull="${M}1c"]`).waitFor();
      await assertCatalogued(page, lang, 'waiter with the undo bar and a pull call');
      await assertFits(page, 'waiter with the undo bar and a pull call');
      await shot(page, `waiter-${lang}-undo-pull`);
      await page.close();

      // a merchant with nothing in the kitchen: both empty states are words of the catalogue
      const empty = await open(ctx, `/waiter?token=${token('waiter', `${M}X`)}`);
      await empty.locator('#status[data-state="live"]').waitFor();
      await empty.locator('#cooking .empty').waitFor();
      assert.equal(await empty.locator('#cooking .empty').innerText(), lang === 'en' ? 'Nothing cooking' : '没有在做的菜');
      await assertCatalogued(empty, lang, 'empty waiter page');
      await shot(empty, `waiter-${lang}-empty`);
      await empty.close();

      await assertRemembered(ctx, '/waiter', lang, lang === 'en' ? 'Serve' : '传菜');
      await ctx.close();
    });

    it(`the pass (1280x800) in ${lang}: stations, complete, rush, late, held, delivery, a dish without station; serve all`, async () => {
      const M = `X${lang === 'en' ? 'E' : 'Z'}`;
      await seedOrder(db.pool, { orderId: `${M}1`, merchantId: M, placedAt: ago(1200), tableNo: '5', dishes: [
        { itemId: `${M}1a`, name: '宫保鸡丁', station: 'wok' }, { itemId: `${M}1b`, name: '拍黄瓜', station: 'cold', state: 'READY' },
        { itemId: `${M}1c`, name: '羊肉串', station: 'grill', quantity: 4 }, { itemId: `${M}1d`, name: '酸辣汤', station: 'wok', course: 2, held: true },
        { itemId: `${M}1e`, name: '米饭', station: null },
      ] }, srv.hub);
      await seedOrder(db.pool, { orderId: `${M}2`, merchantId: M, placedAt: ago(300), tableNo: '9', dishes: [
        { itemId: `${M}2a`, name: '麻婆豆腐', station: 'wok', state: 'READY' }, { itemId: `${M}2b`, name: '凉拌木耳', station: 'cold', state: 'READY' },
      ] }, srv.hub);
      await seedOrder(db.pool, { orderId: `${M}3`, merchantId: M, tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt: later(900), placedAt: ago(60),
        dishes: [{ itemId: `${M}3a`, name: '扬州炒饭', station: 'wok' }] }, srv.hub);
      assert.equal((await call('POST', `/api/orders/${M}3/rush`, token('kitchen', M))).status, 200);

      const ctx = await context(TABLET);
      const page = await open(ctx, `/expo?lang=${lang}&token=${token('waiter', M)}`);
      await page.locator(`.xticket[data-order="${M}2"][data-complete="true"]`).waitFor();
      await page.locator('#status[data-state="live"]').waitFor();
      assert.equal(await page.locator(`.xticket[data-order="${M}1"].late`).count(), 1);
      assert.equal(await page.locator(`.xticket[data-order="${M}3"].rush`).count(), 1);
      assert.equal(await page.locator('h1').innerText(), lang === 'en' ? 'Pass' : '打荷');
      assert.equal(await page.locator(`.xticket[data-order="${M}2"] .complete-flag`).innerText(), lang === 'en' ? '✓ COMPLETE' : '✓ 已齐');
      assert.equal(await page.locator('#summary').innerText(), lang === 'en' ? '3 tickets · 1 complete' : '3 单 · 1 单已齐');
      await assertCatalogued(page, lang, 'the pass');
      await assertFits(page, 'the pass');
      await shot(page, `expo-${lang}-1280x800`);

      await page.locator(`[data-serve-all="${M}2"]`).click();
      await waitUntil(async () => (await stateOf(`${M}2a`)) === 'SERVED', 'served from the pass');
      await page.locator(`.xticket[data-order="${M}2"]`).waitFor({ state: 'detached' });
      await assertCatalogued(page, lang, 'the pass after serving');
      await page.close();

      await assertRemembered(ctx, '/expo', lang, lang === 'en' ? 'Pass' : '打荷');
      await ctx.close();
    });
  }

  it("the merchant's default language applies to a kitchen, waiter and pass device that made no choice", async () => {
    const M = 'DZ';
    await seedOrder(db.pool, { orderId: 'DZ1', merchantId: M, tableNo: '3', dishes: [{ itemId: 'DZ1a', name: '回锅肉', state: 'READY' }] }, srv.hub);
    assert.equal((await call('PUT', `/api/merchants/${M}/settings`, token('manager', M), { language: 'zh-CN' })).status, 200);
    const ctx = await context(TABLET);
    for (const [p, role, heading] of [['/kitchen', 'kitchen', '厨房'], ['/waiter', 'waiter', '传菜'], ['/expo', 'kitchen', '打荷']] as const) {
      const page = await open(ctx, `${p}?token=${token(role, M)}`);
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 15_000 });
      await page.locator('#status[data-state="live"]').waitFor();
      assert.equal(await page.locator('h1').innerText(), heading, p);
      await assertCatalogued(page, 'zh-CN', p);
      await page.close();
    }
    await ctx.close();
  });
});

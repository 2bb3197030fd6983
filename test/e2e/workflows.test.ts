// Kitchen workflows in headless Chromium (issue 19): the pass at 1280x800 with tickets from three
// stations, the kitchen tablet with a held course apart and the view by dish marking a batch with
// one tap, and the waiter's phone (390x844) firing and holding a course without sideways scroll.
// Screenshots: .cache/screens/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { launchChromium } from '../support/browser';
import { type Browser, type Page } from 'playwright-core';
import { freshDatabase, type TestDb } from '../support/db';
import { startFiring, workflowRouters, type FiringInstance } from '../support/firing';
import { api, seedOrder, startServer, token, waitUntil, type Running } from '../support/screens';

const SHOTS = path.resolve(__dirname, '..', '..', '.cache', 'screens');
const TABLET = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let db: TestDb;
let srv: Running;
let firing: FiringInstance | undefined;
let browser: Browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  db = await freshDatabase('e2eflows');
  srv = await startServer(db.pool, { routersWith: (work) => workflowRouters(db.pool, (firing = startFiring(db.pool, work, '0 0 0 1 1 *'))) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await firing?.stop();
  await srv?.close();
  await db?.drop();
});

async function open(pathname: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on('pageerror', (err) => process.stderr.write(`page error on ${pathname}: ${err.message}\n`));
  await page.goto(srv.base + pathname);
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const stateOf = async (itemId: string): Promise<string> => {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT state FROM dishes WHERE item_id = ?', [itemId]);
  return String(rows[0]?.state);
};

describe('kitchen workflows on screens', () => {
  it('the pass at 1280x800: tickets from three stations, a complete one marked, rush and late apart', async () => {
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    await seedOrder(db.pool, { orderId: 'X1', merchantId: 'XM', placedAt: ago(1200), dishes: [
      { itemId: 'X1a', name: '宫保鸡丁', station: 'wok' }, { itemId: 'X1b', name: '拍黄瓜', station: 'cold' }, { itemId: 'X1c', name: '羊肉串', station: 'grill', quantity: 4 },
      { itemId: 'X1d', name: '酸辣汤', station: 'wok', course: 2, held: true },
    ] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'X2', merchantId: 'XM', placedAt: ago(300), dishes: [
      { itemId: 'X2a', name: '麻婆豆腐', station: 'wok' }, { itemId: 'X2b', name: '凉拌木耳', station: 'cold' },
    ] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'X3', merchantId: 'XM', tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt: new Date(Date.now() + 900_000),
      dishes: [{ itemId: 'X3a', name: '扬州炒饭', station: 'wok' }, { itemId: 'X3b', name: '烤鸡翅', station: 'grill' }] }, srv.hub);
    const kitchen = token('kitchen', 'XM');
    for (const id of ['X2a', 'X2b']) assert.equal((await api(srv.base, 'POST', `/api/dishes/${id}/ready`, kitchen)).status, 200);
    assert.equal((await api(srv.base, 'POST', '/api/orders/X3/rush', kitchen)).status, 200);

    const page = await open(`/expo?token=${token('waiter', 'XM')}`, TABLET);
    await page.locator('.xticket[data-order="X2"][data-complete="true"]').waitFor();
    assert.equal(await page.locator('.xticket').count(), 3);
    assert.equal(await page.locator('.xticket[data-order="X1"] .station').count(), 3, 'three stations on one ticket');
    assert.ok(await page.locator('.xticket[data-order="X1"].late').count() === 1, 'the 20-minute-old ticket is late');
    assert.ok(await page.locator('.xticket[data-order="X3"].rush').count() === 1);
    assert.match(await page.locator('.xticket[data-order="X3"] .table').innerText(), /美团/);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
    await shot(page, 'expo-1280x800');
    await page.locator('[data-serve-all="X2"]').click();
    await waitUntil(async () => (await stateOf('X2a')) === 'SERVED', 'served from the pass');
    await page.close();
  });

  it('the kitchen tablet: a held course apart, greyed and fired by a tap; the view by dish marks a batch with one tap', async () => {
    await seedOrder(db.pool, { orderId: 'K1', merchantId: 'KM', dishes: [
      { itemId: 'K1a', dishId: 'KP', name: '宫保鸡丁', station: 'wok' }, { itemId: 'K1b', name: '清蒸鲈鱼', station: 'wok', course: 2, held: true },
    ] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'K2', merchantId: 'KM', dishes: [{ itemId: 'K2a', dishId: 'KP', name: '宫保鸡丁', station: 'wok', quantity: 2 }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'K3', merchantId: 'KM', tableNo: null, channel: 'TAKEAWAY', dishes: [{ itemId: 'K3a', dishId: 'KP', name: '宫保鸡丁', station: 'wok' }] }, srv.hub);
    const page = await open(`/kitchen?token=${token('kitchen', 'KM')}`, TABLET);
    const held = page.locator('.ticket[data-order="K1"] .held-dishes [data-item="K1b"]');
    await held.waitFor();
    assert.equal(await held.getAttribute('data-held'), 'true');
    assert.equal(await held.isDisabled(), true, 'a held dish is not tapped as cooked');
    assert.equal(await page.locator('.ticket[data-order="K1"] .dishes [data-item="K1b"]').count(), 0, 'apart from the fired dishes');
    await shot(page, 'kitchen-held-course');

    await page.locator('#view').click();
    const card = page.locator('.batch[data-batch="KP"]');
    await card.waitFor();
    assert.equal(await card.locator('.portions').innerText(), '4');
    await card.locator('.step').first().click(); // 3 portions: K2a (2) and one more fit, in the group's order
    assert.equal(await card.locator('.chosen').getAttribute('data-chosen'), '3');
    await shot(page, 'kitchen-by-dish');
    await card.locator('[data-batch-ready="KP"]').click();
    await waitUntil(async () => (await stateOf('K1a')) === 'READY' && (await stateOf('K2a')) === 'READY', 'the batch marked');
    assert.equal(await stateOf('K3a'), 'WAITING', 'only what fits in 3 portions');
    await page.locator('.batch[data-batch="KP"] .portions').filter({ hasText: '1' }).waitFor();

    await page.locator('#view').click();
    await page.locator('[data-fire="K1:2"]').click();
    await page.locator('.ticket[data-order="K1"] .dishes [data-item="K1b"][data-held="false"]').waitFor();
    await page.close();
  });

  it('the waiter phone (390x844): fires and holds a course without sideways scroll', async () => {
    await seedOrder(db.pool, { orderId: 'W1', merchantId: 'WM', dishes: [
      { itemId: 'W1a', name: '凉拌黄瓜', station: 'cold' }, { itemId: 'W1b', name: '水煮鱼', station: 'wok', course: 2, held: true },
      { itemId: 'W1c', name: '米饭', station: 'wok', course: 2, held: true, quantity: 3 },
    ] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'W2', merchantId: 'WM', tableNo: null, channel: 'DELIVERY', platform: 'eleme', pickupAt: new Date(Date.now() + 1_800_000),
      dishes: [{ itemId: 'W2a', name: '小笼包', station: 'steam', course: 2, held: true }] }, srv.hub);
    const page = await open(`/waiter?token=${token('waiter', 'WM')}`, PHONE);
    await page.locator('[data-fire="W1:2"]').waitFor();
    await page.locator('[data-fire="W2:2"]').waitFor(); // an all-held order, found through GET …/held
    await shot(page, 'waiter-held-course');
    await page.locator('[data-fire="W1:2"]').click();
    await page.locator('[data-hold="W1:2"]').waitFor();
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT SUM(held) AS h FROM dishes WHERE order_id = 'W1'");
    assert.equal(Number(rows[0]?.h), 0, 'course 2 fired');
    await page.locator('[data-hold="W1:1"]').click();
    await page.locator('[data-fire="W1:1"]').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll');
    await shot(page, 'waiter-fired-course');
    await page.close();
  });
});

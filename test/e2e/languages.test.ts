// Languages (contract "Screens in every kitchen"), in real headless Chromium: the guest and pickup
// pages in zh-CN and en show no text outside that language's catalogue (text from data is marked
// translate="no"); ?lang= is remembered; a zh browser gets Chinese; the merchant's default applies
// to a device that made no choice.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium } from '../support/browser';
import { type Browser } from 'playwright-core';
import { createMerchantSettingsRouter } from '../../src/merchant-settings/routes';
import { createMerchantZones } from '../../src/merchant-settings/zones';
import { freshDatabase, type TestDb } from '../support/db';
import { api, seedOrder, startServer, token, type Running } from '../support/screens';
import { strayText } from '../support/stray-text';

const SHOTS = path.resolve(__dirname, '..', '..', '.cache', 'screens');
let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  db = await freshDatabase('languages');
  srv = await startServer(db.pool, { routers: [createMerchantSettingsRouter({ pool: db.pool, zones: createMerchantZones('UTC') })] });
  browser = await launchChromium();
  await seedOrder(db.pool, { orderId: 'L1', merchantId: 'LM', tableNo: '7', dishes: [
    { itemId: 'L1a', name: '宫保鸡丁', state: 'READY' }, { itemId: 'L1b', name: 'Gyoza' },
  ] }, srv.hub);
  await seedOrder(db.pool, { orderId: 'L2', merchantId: 'LM', tableNo: null, dishes: [{ itemId: 'L2a', name: 'Ramen', state: 'READY' }] }, srv.hub);
});

after(async () => {
  await browser?.close();
  await srv?.close();
  await db?.drop();
});

describe('languages', () => {
  for (const lang of ['zh-CN', 'en'] as const) {
    it(`guest and pickup pages in ${lang}: no text outside the catalogue`, async () => {
      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
      const guest = await context.newPage();
      await guest.goto(`${srv.base}/guest?lang=${lang}&token=${token('guest', 'LM', 'L1')}`);
      await guest.locator('[data-item="L1a"]').waitFor();
      await guest.locator('#status[data-state="live"]').waitFor();
      const g = await strayText(guest);
      assert.equal(g.lang, lang);
      assert.deepEqual(g.stray, []);
      await guest.screenshot({ path: path.join(SHOTS, `guest-${lang}-390x844.png`) });

      const board = await context.newPage();
      await board.setViewportSize({ width: 1280, height: 800 });
      await board.goto(`${srv.base}/pickup?lang=${lang}&token=${token('board', 'LM')}`);
      await board.locator('#status[data-state="live"]').waitFor();
      const b = await strayText(board);
      assert.equal(b.lang, lang);
      assert.deepEqual(b.stray, []);
      await board.screenshot({ path: path.join(SHOTS, `pickup-${lang}-1280x800.png`) });
      if (lang === 'zh-CN') assert.match(await board.locator('h1').innerText(), /外带取餐/);
      await context.close();
    });
  }

  it('the choice is remembered; a zh browser gets Chinese; the merchant default applies to a device without a choice', async () => {
    const zh = await browser.newContext({ locale: 'zh-TW' });
    const p = await zh.newPage();
    await p.goto(`${srv.base}/pickup?token=${token('board', 'LM')}`);
    await p.locator('#status[data-state="live"]').waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'zh-CN');
    await p.goto(`${srv.base}/pickup?lang=en`);
    await p.locator('#status[data-state="live"]').waitFor();
    await p.goto(`${srv.base}/pickup`);
    await p.locator('#status[data-state="live"]').waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'en', 'the device remembers en');
    await zh.close();

    assert.equal((await api(srv.base, 'PUT', '/api/merchants/LM/settings', token('manager', 'LM'), JSON.stringify({ language: 'zh-CN' }))).status, 200);
    const fresh = await browser.newContext({ locale: 'en-US' });
    const q = await fresh.newPage();
    await q.goto(`${srv.base}/pickup?token=${token('board', 'LM')}`);
    await q.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 15_000 });
    await q.locator('#status[data-state="live"]').waitFor();
    assert.match(await q.locator('h1').innerText(), /外带取餐/);
    await fresh.close();
  });
});

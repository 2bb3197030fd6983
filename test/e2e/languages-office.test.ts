// Languages of the office pages (issue 21 item 1, contract "Screens in every kitchen"), in real
// headless Chromium against the real service: the dashboard, the on-call console and the index in
// zh-CN and en show no text outside that language's catalogue (text from data is marked
// translate="no"), on a 1280×800 laptop and a 390×844 phone, without sideways scroll. The console
// has a FAILED retry entry (two events behind it) and two dead letters, and is checked with the
// queue open and with each replay confirmation open. The dashboard's CSV comes in its language; a
// merchant's default language reaches its dashboard; the index's language links set the choice
// every page of the device then uses. Screenshots under .cache/screens/languages-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signToken } from '../../src/auth/token';
import type { EntryView } from '../../src/retry/admin-sql';
import { assertNoPageErrors, launchChromium, watchPage } from '../support/browser';
import { body, eventFor, record } from '../support/events';
import { failedOrder, NOT_UTF8, startOpsStack, type OpsStack } from '../support/ops-stack';
import { TEST_KEY } from '../support/service';
import { strayText } from '../support/stray-text';
import { waitFor } from '../support/wait';

const SHOTS = '.cache/screens';
const LANGS = ['zh-CN', 'en'] as const;
type Lang = (typeof LANGS)[number];
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** The browser speaks the other language: what the page shows comes from ?lang= alone. */
const otherLocale = (lang: Lang): string => (lang === 'zh-CN' ? 'en-US' : 'zh-CN');

let s: OpsStack;
let browser: Browser;
let failedId = 0;
const manager = (merchantId: string): string => signToken({ role: 'manager', merchantId }, TEST_KEY);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  s = await startOpsStack('langoffice');
  // the night of test/e2e/ops.test.ts: a FAILED head with two events behind it, two dead letters
  await s.refuseParking('STUCK-', 'Data too long for column order_id (refused by the schema)');
  await failedOrder(s, 'NIGHT-1', 2);
  await s.send(
    { key: 'BAD-1', value: NOT_UTF8, headers: { env: 'test', producer: 'pos-gateway' }, partition: 0 },
    { ...record(eventFor(body('STUCK-1', 1), 'ORDER_PLACED')), partition: 1 },
  );
  // the dashboard's merchant: one order placed 20 min ago (late), one 5 min ago with a dish cooked
  const placed = (orderId: string, minutesAgo: number): ReturnType<typeof body> =>
    body(orderId, 1, { merchantId: 'MDL', placedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString() });
  for (const [id, ago] of [['DL-1', 20], ['DL-2', 5]] as const) {
    s.answers.set(id, placed(id, ago));
    await s.send(record(eventFor(placed(id, ago), 'ORDER_PLACED')));
  }
  failedId = await waitFor('the FAILED entry with two behind', async () => {
    const e = ((await s.call('GET', '/api/retries?status=FAILED')).body as EntryView[]).find((x) => x.orderId === 'NIGHT-1');
    return e?.waitingBehind === 2 ? e.id : undefined;
  }, 30_000);
  await waitFor('two dead letters', async () => ((await s.call('GET', '/api/dead-letters')).body as unknown[]).length === 2, 30_000);
  const kitchen = signToken({ role: 'kitchen', merchantId: 'MDL' }, TEST_KEY);
  await waitFor('DL-2 stored and its wok dish cooked', async () => {
    const res = await fetch(`${s.base}/api/dishes/DL-2-1/ready`, {
      method: 'POST', headers: { authorization: `Bearer ${kitchen}`, 'content-type': 'application/json' }, body: '{}',
    });
    return res.status === 200 ? true : undefined;
  }, 30_000);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await s?.close();
});

afterEach(assertNoPageErrors);

async function open(context: BrowserContext, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  watchPage(page, path);
  await page.goto(`${s.base}${path}`);
  return page;
}

async function noStrayText(page: Page, lang: Lang, where: string): Promise<void> {
  const r = await strayText(page);
  assert.equal(r.lang, lang, `${where}: the page's language`);
  assert.deepEqual(r.stray, [], `${where}: text outside the ${lang} catalogue`);
}

async function noSidewaysScroll(page: Page, where: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where}: no horizontal scroll (overflow ${overflow} px)`);
  // a string: tsx would wrap named functions in a helper the page does not have
  const wide = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.uplot'))
    .map((e) => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 30)).slice(0, 5)`);
  assert.deepEqual(wide, [], `${where}: nothing reaches past the right edge`);
}

const CATALOGUE = {
  'zh-CN': { dashboard: '经营看板', orders: '订单', late: '已等', failed: '失败', csv: '日期,订单数,菜品数,已上菜,已取消,超时', ops: 'KDS 值班台', index: '厨房显示系统', replay: '重放' },
  en: { dashboard: 'Dashboard', orders: 'Orders', late: 'waiting', failed: 'FAILED', csv: 'date,orders,dishes,served,cancelled,late', ops: 'KDS on call', index: 'Kitchen display', replay: 'Replay' },
};

describe('languages of the dashboard, the on-call console and the index', () => {
  for (const lang of LANGS) {
    const want = CATALOGUE[lang];

    it(`dashboard in ${lang}, laptop and phone: only catalogue text, names untranslated, the CSV in ${lang}`, async () => {
      const context = await browser.newContext({ locale: otherLocale(lang) });
      const page = await open(context, `/dashboard?lang=${lang}&token=${manager('MDL')}`, LAPTOP);
      await page.locator('#status[data-state="live"]').waitFor({ timeout: 10_000 });
      await page.locator('#late li .age').first().waitFor({ timeout: 10_000 });
      await page.locator('#stations tbody td.num').first().waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('h1').innerText(), want.dashboard);
      assert.equal(await page.locator('.tile .label').first().innerText(), want.orders);
      assert.equal(await page.locator('.tile .value').first().innerText(), '2');
      // the late dish: its name is data (translate="no"), the age a message of the language
      const late = page.locator('#late li', { hasText: 'Mapo Tofu' }).first();
      assert.equal(await late.locator('.name').getAttribute('translate'), 'no');
      assert.equal(await late.locator('.name').innerText(), 'Mapo Tofu 麻婆豆腐');
      assert.ok((await late.locator('.age').innerText()).startsWith(want.late));
      await noStrayText(page, lang, 'dashboard 1280×800');
      await noSidewaysScroll(page, 'dashboard 1280×800');
      await page.screenshot({ path: `${SHOTS}/languages-dashboard-${lang}-1280x800.png` });

      // the CSV download, its header in the page's language (zh-CN with a BOM for Excel)
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
      const bytes = readFileSync(await download.path());
      const text = bytes.toString('utf8');
      assert.equal(text.startsWith('\ufeff'), lang === 'zh-CN', 'a BOM exactly in zh-CN');
      assert.ok(text.replace(/^\ufeff/, '').startsWith(want.csv), `CSV header: ${text.slice(0, 80)}`);
      assert.equal(text.trimEnd().split('\r\n').length, 31, 'a header and 30 days');

      await page.setViewportSize(PHONE);
      await page.locator('#hours-chart canvas').first().waitFor();
      await noStrayText(page, lang, 'dashboard 390×844');
      await noSidewaysScroll(page, 'dashboard 390×844');
      await page.screenshot({ path: `${SHOTS}/languages-dashboard-${lang}-390x844.png`, fullPage: true });
      await context.close();
    });

    it(`on-call console in ${lang}, laptop and phone: queue and both confirmations open, only catalogue text`, async () => {
      const context = await browser.newContext({ locale: otherLocale(lang) });
      for (const [viewport, size] of [[LAPTOP, '1280x800'], [PHONE, '390x844']] as const) {
        const page = await open(context, `/ops?lang=${lang}&token=${s.admin}`, viewport);
        const entry = page.locator(`#retry-${failedId}`);
        await entry.waitFor({ timeout: 10_000 });
        await page.locator('#age[data-state="fresh"]').waitFor();
        assert.equal(await page.locator('h1').innerText(), want.ops);
        assert.equal(await entry.locator('.badge').innerText(), want.failed);
        assert.equal(await entry.locator('.badge').getAttribute('data-status'), 'FAILED');
        await entry.locator('.show-queue').click();
        await entry.locator('ol.queue li').nth(1).waitFor();
        // the bytes of a dead letter are data, shown as they are
        const bad = page.locator('article.dead', { has: page.locator('pre.hex') });
        assert.equal(await bad.locator('pre.hex').getAttribute('translate'), 'no');
        assert.match(await bad.locator('pre.hex').innerText(), /^0000 {2}ff fe 7b 22/);
        await noStrayText(page, lang, `ops ${size}`);
        await noSidewaysScroll(page, `ops ${size}`);
        await page.screenshot({ path: `${SHOTS}/languages-ops-${lang}-${size}.png`, fullPage: size === '390x844' });

        // each confirmation says what will happen, in the language; cancelled, nothing happens
        const dialog = page.locator('dialog#confirm');
        for (const [what, button] of [['retry', entry.locator('button.replay')], ['dead', page.locator('article.dead button.replay').first()]] as const) {
          await button.click();
          await dialog.waitFor();
          assert.equal(await dialog.locator('#confirm-yes').innerText(), want.replay);
          assert.ok((await dialog.locator('#confirm-text p').count()) >= 2, 'what happens, and what if it fails');
          await noStrayText(page, lang, `ops ${size}, ${what} replay confirmation`);
          await noSidewaysScroll(page, `ops ${size}, ${what} replay confirmation`);
          await page.screenshot({ path: `${SHOTS}/languages-ops-${lang}-${size}-confirm-${what}.png` });
          await dialog.locator('#confirm-no').click();
          await dialog.waitFor({ state: 'hidden' });
        }
        await page.close();
      }
      await context.close();
      // nothing was replayed: the FAILED entry and both dead letters are still there
      assert.equal(((await s.call('GET', '/api/retries?status=FAILED')).body as EntryView[]).filter((e) => e.id === failedId).length, 1);
      assert.equal(((await s.call('GET', '/api/dead-letters')).body as unknown[]).length, 2);
    });

    it(`index in ${lang}: only catalogue text, and its language link sets the language of every page`, async () => {
      const context = await browser.newContext({ locale: otherLocale(lang) });
      for (const [viewport, size] of [[LAPTOP, '1280x800'], [PHONE, '390x844']] as const) {
        const page = await open(context, `/?lang=${lang}`, viewport);
        assert.equal(await page.locator('h1').innerText(), want.index);
        await noStrayText(page, lang, `index ${size}`);
        await noSidewaysScroll(page, `index ${size}`);
        await page.screenshot({ path: `${SHOTS}/languages-index-${lang}-${size}.png` });
        await page.close();
      }
      // the other language's link, then the console without ?lang=: the device remembers the choice
      const other: Lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
      const page = await open(context, '/', LAPTOP);
      // wait for the linked page's load, not for its lang attribute: the pages' HTML says "en" until
      // their script has run (and remembered the choice), so "en" alone could be seen too early
      await Promise.all([
        page.waitForURL((url) => url.search === `?lang=${other}`, { waitUntil: 'load' }),
        page.click(`a[href="?lang=${other}"]`),
      ]);
      assert.equal(await page.evaluate(() => document.documentElement.lang), other);
      await page.goto(`${s.base}/ops`);
      await page.locator('#login').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), other);
      assert.equal(await page.locator('h1').innerText(), CATALOGUE[other].ops);
      await context.close();
    });
  }

  it('a merchant whose default is zh-CN gets a Chinese dashboard on an English browser that made no choice', async () => {
    const put = await fetch(`${s.base}/api/merchants/MZH/settings`, {
      method: 'PUT', headers: { authorization: `Bearer ${manager('MZH')}`, 'content-type': 'application/json' }, body: JSON.stringify({ language: 'zh-CN' }),
    });
    assert.equal(put.status, 200);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await open(context, `/dashboard?token=${manager('MZH')}`, LAPTOP);
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', undefined, { timeout: 15_000 });
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('h1').innerText(), CATALOGUE['zh-CN'].dashboard);
    await noStrayText(page, 'zh-CN', 'dashboard of MZH');
    await context.close();
  });
});

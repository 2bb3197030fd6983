// The on-call console in real headless Chromium against the real service (issue 22): a night with
// a FAILED retry entry (two events behind it) and dead letters, on a 1280x800 laptop and a 390x844
// phone. The token is typed into the page; replays go through the confirmation. Any page error or
// console error fails the test. Screenshots under .cache/screens/ (docs/img/ holds copies).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium } from '../support/browser';
import { type Browser, type Page } from 'playwright-core';
import type { DeadLetterView } from '../../src/dead-letters/views';
import type { EntryView } from '../../src/retry/admin-sql';
import { body, eventFor, record } from '../support/events';
import { failedOrder, NOT_UTF8, startOpsStack, type OpsStack } from '../support/ops-stack';
import { orderRow } from '../support/orders';
import { waitFor } from '../support/wait';

const SHOTS = '.cache/screens';

let s: OpsStack;
let browser: Browser;
let failedId = 0;
const problems: string[] = [];

async function deadLetters(): Promise<DeadLetterView[]> {
  return (await s.call('GET', '/api/dead-letters')).body as DeadLetterView[];
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  s = await startOpsStack('opse2e');
  await s.refuseParking('STUCK-', 'Data too long for column order_id (refused by the schema)');
  await failedOrder(s, 'NIGHT-1', 2);
  await s.send(
    { key: 'BAD-1', value: NOT_UTF8, headers: { env: 'test', producer: 'pos-gateway' }, partition: 0 },
    { ...record(eventFor(body('STUCK-1', 1), 'ORDER_PLACED')), partition: 1 },
  );
  failedId = await waitFor('the FAILED entry with two behind', async () => {
    const e = ((await s.call('GET', '/api/retries?status=FAILED')).body as EntryView[]).find((x) => x.orderId === 'NIGHT-1');
    return e?.waitingBehind === 2 ? e.id : undefined;
  }, 30_000);
  await waitFor('two dead letters', async () => (await deadLetters()).length === 2, 30_000);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await s?.close();
});

async function open(width: number, height: number, path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on('pageerror', (err) => problems.push(`page error on ${path}: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${path}: ${m.text()}`);
  });
  await page.goto(`${s.base}${path}`);
  return page;
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow} px)`);
  const wide = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('main *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((e) => `${e.tagName}.${e.className}`)
      .slice(0, 5));
  assert.deepEqual(wide, [], 'nothing reaches past the right edge');
}

describe('/ops', () => {
  it('on a laptop: asks for the token, shows the FAILED entry and the dead letters, replays one behind its confirmation', async () => {
    const page = await open(1280, 800, '/ops');
    await page.locator('#login').waitFor();
    await page.fill('#token-input', s.admin);
    await page.click('#token-save');
    const entry = page.locator(`#retry-${failedId}`);
    await entry.waitFor({ timeout: 10_000 });
    assert.equal(await entry.locator('.badge').innerText(), 'FAILED');
    assert.match(await entry.innerText(), /items/, 'its last error');
    assert.match(await entry.innerText(), /2 event\(s\) of this order/);
    await entry.locator('.show-queue').click();
    await entry.locator('ol.queue li').nth(1).waitFor();
    assert.match(await entry.locator('ol.queue').innerText(), /ORDER_PAID v2[\s\S]*ORDER_PAID v3/);

    const [bad, stuck] = ['BAD-1', 'STUCK-1'].map((k) => page.locator('article.dead', { hasText: `Key${k}` }).or(page.locator('article.dead', { hasText: k })).first());
    assert.match(await bad!.locator('pre.hex').innerText(), /^0000 {2}ff fe 7b 22 6f c3 28 00/);
    assert.match(await bad!.locator('pre.headers').innerText(), /producer: pos-gateway/);
    assert.match(await bad!.innerText(), /not_json/);
    assert.match(await stuck!.locator('pre.text').innerText(), /"orderId":"STUCK-1"/);
    assert.match(await stuck!.innerText(), /unprocessable[\s\S]*refused by the schema/);
    assert.match(await page.locator('#age').innerText(), /Updated/);
    assert.equal(await page.locator('#lag tbody tr').count(), 2, 'lag per partition');
    assert.match(await page.locator('#cluster').innerText(), /this one/);
    await page.screenshot({ path: `${SHOTS}/ops-1280x800.png` });

    // the fix lands; the on-call replays the dead letter
    await s.allowParking();
    s.answers.set('STUCK-1', body('STUCK-1', 1));
    await stuck!.locator('button.replay').click();
    const dialog = page.locator('dialog#confirm');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /consumer['’]s path again[\s\S]*never over a newer version/);
    await page.screenshot({ path: `${SHOTS}/ops-1280x800-confirm.png` });
    await dialog.locator('#confirm-yes').click();
    await page.locator('#toast', { hasText: 'Replayed: applied' }).waitFor({ timeout: 10_000 });
    assert.equal((await orderRow(s.db.pool, 'STUCK-1'))?.version, 1);
    await page.locator('article.dead', { hasText: 'STUCK-1' }).waitFor({ state: 'detached', timeout: 10_000 });
    await page.close();
  });

  it('on a phone, from the mail link: the entry in view, no sideways scroll, replay behind its confirmation', async () => {
    const page = await open(390, 844, `/ops?token=${s.admin}#retry-${failedId}`);
    const entry = page.locator(`#retry-${failedId}.focus`);
    await entry.waitFor({ timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token leaves the address bar');
    assert.ok(await entry.isVisible());
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/ops-390x844-mail-link.png` });
    await page.locator('#dead-letters').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/ops-390x844-dead-letter.png` });
    await page.screenshot({ path: `${SHOTS}/ops-390x844-full.png`, fullPage: true });

    // the order service is fixed for NIGHT-1: replay the FAILED head; the two behind follow
    s.answers.set('NIGHT-1', body('NIGHT-1', 3));
    await entry.locator('button.replay').click();
    const dialog = page.locator('dialog#confirm');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /2 event\(s\) waiting behind it are applied in order/);
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/ops-390x844-confirm.png` });
    await dialog.locator('#confirm-yes').click();
    await page.locator('#toast', { hasText: `Entry #${failedId} is now DONE` }).waitFor({ timeout: 15_000 });
    assert.equal((await orderRow(s.db.pool, 'NIGHT-1'))?.version, 3);
    await page.locator(`#retry-${failedId}`).waitFor({ state: 'detached', timeout: 10_000 });
    await noSidewaysScroll(page);
    await page.close();
  });

  it('no page or console errors', () => {
    assert.deepEqual(problems, []);
  });
});

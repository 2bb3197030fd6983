// A kitchen screen through a server outage, in real headless Chromium (contract "Screens in every
// kitchen", Offline): the banner within 5 s, a tap made offline kept across a reload without the
// server (the service worker keeps the page shell), sent once when the server is back on its port.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { type Browser } from 'playwright-core';
import { type TestDb } from '../support/db';
import { seedOrder, startServer, token, type Running } from '../support/screens';
import { closeE2e, openE2e, SHOTS } from '../support/e2e-stack';

let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('offline'));
});

after(() => closeE2e({ db, srv, browser }));

describe('offline kitchen screen', () => {
  it('says offline within 5 s, keeps a tap across a reload without the server, sends it once when back', async () => {
    await seedOrder(db.pool, { orderId: 'OF1', merchantId: 'OFM', tableNo: '3', dishes: [
      { itemId: 'OF1a', name: '宫保鸡丁' }, { itemId: 'OF1b', name: 'Gyoza' },
    ] }, srv.hub);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'allow' });
    const page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`page error: ${err.message}\n`));
    await page.goto(`${srv.base}/kitchen?token=${token('kitchen', 'OFM')}`);
    await page.locator('[data-item="OF1a"][data-state="WAITING"]').waitFor();
    // the shell is cached once the worker controls the page
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
    await page.waitForTimeout(2500); // the board is saved on the device within 2 s

    const port = srv.port;
    const stoppedAt = Date.now();
    await srv.close();
    await page.locator('#offline[data-state="offline"]').waitFor({ timeout: 5000 });
    const noticedMs = Date.now() - stoppedAt;
    assert.match(await page.locator('#offline').innerText(), /Offline/);
    assert.notEqual(await page.locator('#status').getAttribute('data-state'), 'live', 'the status pill agrees with the banner');
    assert.ok(await page.locator('[data-item="OF1a"]').isVisible(), 'the tickets stay');

    await page.locator('[data-item="OF1a"]').click();
    await page.locator('#offline[data-waiting="1"]').waitFor();
    assert.match(await page.locator('#offline').innerText(), /1 tap waiting/);
    await page.screenshot({ path: path.join(SHOTS, 'kitchen-offline-1280x800.png') });

    await page.reload();
    await page.locator('#offline[data-waiting="1"][data-state="offline"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-item="OF1a"]').waitFor({ timeout: 5000 });
    const [before] = await db.pool.query<RowDataPacket[]>('SELECT state FROM dishes WHERE item_id = ?', ['OF1a']);
    assert.equal(before[0]?.state, 'WAITING', 'nothing reached the server');

    srv = await startServer(db.pool, { port });
    await page.locator('[data-item="OF1a"][data-state="READY"]').waitFor({ timeout: 30_000 });
    await page.locator('#offline[data-waiting="0"][data-state="online"]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.locator('#offline').waitFor({ state: 'hidden', timeout: 5000 });
    const [marks] = await db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM dish_marks WHERE item_id = ?', ['OF1a']);
    assert.equal(Number(marks[0]?.n), 1, 'the tap applied once');
    assert.ok(noticedMs < 5000, `offline said after ${noticedMs} ms`);
    await context.close();
  });

  it('a Wi-Fi drop (the socket stays open, nothing arrives): banner and status pill both say so, and both recover', async () => {
    await seedOrder(db.pool, { orderId: 'OF2', merchantId: 'OFW', tableNo: '4', dishes: [{ itemId: 'OF2a', name: '炒饭' }] }, srv.hub);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${srv.base}/kitchen?token=${token('kitchen', 'OFW')}`);
    await page.locator('#status[data-state="live"]').waitFor();
    // the network drops under an open socket: no close event, no pongs
    await context.setOffline(true);
    await page.locator('#offline[data-state="offline"]').waitFor({ timeout: 8000 });
    assert.notEqual(await page.locator('#status').getAttribute('data-state'), 'live', 'the pill does not say Live over a silent socket');
    await context.setOffline(false);
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 20_000 });
    await page.locator('#offline[data-state="online"]').waitFor({ state: 'attached', timeout: 10_000 });
    await context.close();
  });
});

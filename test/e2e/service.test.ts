// The screens during a service, in headless Chromium on the devices people hold: a 1280x800
// kitchen tablet and a 390x844 phone, against a real server and database. Screenshots go to
// .cache/screenshots/ (CI keeps them as artefacts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertNoPageErrors, watchPage } from '../support/browser';
import { appendChangesOfMerchants, type Change } from '../../src/changes/append';
import { inTx } from '../../src/db/pool';
import type { OrderDetails } from '../../src/order-service/details';
import { type TestDb } from '../support/db';
import { applyAnswer, seedOrder, token, type Running } from '../support/screens';
import { closeE2e, openE2e } from '../support/e2e-stack';

const SHOTS = path.resolve(__dirname, '..', '..', '.cache', 'screenshots');
const TABLET = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('e2eservice'));
});

after(() => closeE2e({ db, srv, browser }));

// a page that throws, or logs an error, fails the test that opened it
afterEach(assertNoPageErrors);

async function open(pathname: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  watchPage(page, pathname);
  await page.goto(srv.base + pathname);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

const NAMES = ['Tonkotsu ramen', 'Gyoza', 'Chicken karaage', 'Seaweed salad', 'Miso soup', 'Katsu curry with extra rice'];

function answer(orderId: string, merchantId: string, version: number, tableNo: string | null, items: Array<[string, string, 'ACTIVE' | 'CANCELLED']>): OrderDetails {
  const at = new Date(Date.now() - 120_000);
  return {
    orderId, merchantId, tableNo, status: 'PLACED', version, placedAt: at, updatedAt: new Date(),
    items: items.map(([itemId, name, status]) => ({ itemId, dishId: null, name, quantity: 1, station: 'grill', note: null, status })),
  };
}

describe('screens during a service', () => {
  it('kitchen tablet: eight tickets in view; a cook bumps a ticket, recalls it by key, marks a dish again', async () => {
    for (let i = 1; i <= 9; i++) {
      await seedOrder(db.pool, {
        orderId: `K${i}`, merchantId: 'KM', tableNo: i === 3 ? null : String(10 + i),
        placedAt: new Date(Date.now() - (20 - i) * 60_000),
        dishes: [0, 1, 2].map((j) => ({ itemId: `K${i}${'abc'[j] ?? ''}`, name: NAMES[(i + j) % NAMES.length], quantity: 1 + ((i + j) % 3) })),
      }, srv.hub);
    }
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'KM')}`, TABLET);
    await kitchen.locator('[data-item="K9c"][data-state="WAITING"]').waitFor();
    await shot(kitchen, 'kitchen-1280x800');
    const inView = await kitchen.evaluate(() => Array.from(document.querySelectorAll('.ticket')).filter((t) => {
      const r = t.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    }).length);
    assert.ok(inView >= 8, `${inView} tickets fully in view at 1280x800`);
    assert.match(await kitchen.locator('[data-order="K3"] header').innerText(), /Take-away/);
    assert.equal(await kitchen.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);

    await kitchen.locator('[data-bump="K1"]').click();
    for (const id of ['K1a', 'K1b', 'K1c']) await kitchen.locator(`[data-item="${id}"][data-state="READY"]`).waitFor();
    await kitchen.keyboard.press('u'); // recall the last bump
    for (const id of ['K1a', 'K1b', 'K1c']) await kitchen.locator(`[data-item="${id}"][data-state="WAITING"]`).waitFor();
    await kitchen.locator('[data-item="K1b"]').click();
    await kitchen.locator('[data-item="K1b"][data-state="READY"]').waitFor();

    // keys: 2 selects the second ticket, Enter bumps it
    await kitchen.keyboard.press('2');
    await kitchen.locator('[data-order="K2"].selected').waitFor();
    await kitchen.keyboard.press('Enter');
    for (const id of ['K2a', 'K2b', 'K2c']) await kitchen.locator(`[data-item="${id}"][data-state="READY"]`).waitFor();

    // rush: the ticket moves to the front
    await kitchen.locator('[data-rush-btn="K9"]').click();
    await kitchen.locator('[data-order="K9"][data-rush="true"]').waitFor();
    assert.equal(await kitchen.locator('.ticket').first().getAttribute('data-order'), 'K9');
    await shot(kitchen, 'kitchen-bumped-rush');
    await kitchen.close();
  });

  it('a 500-change burst is rendered a few times, not 500, and a tap in the middle still lands', async () => {
    await seedOrder(db.pool, { orderId: 'B1', merchantId: 'BM', dishes: [{ itemId: 'B1a', name: 'Udon' }] }, srv.hub);
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'BM')}`, TABLET);
    await kitchen.locator('[data-item="B1a"][data-state="WAITING"]').waitFor();
    await kitchen.locator('#status[data-state="live"]').waitFor();
    const rendersBefore = Number(await kitchen.evaluate(() => document.body.dataset.renders));
    const at = new Date().toISOString();
    const changes: Change[] = Array.from({ length: 500 }, (_, i) => ({
      kind: 'dish', call: null,
      dish: { itemId: `B2x${i}`, orderId: 'B1', name: `side ${i % 7}`, quantity: 1, station: 'grill', note: null, state: 'WAITING', updatedAt: at, readyAt: null, servedAt: null,
        dishId: null, course: 1, held: false, firedAt: at, dueAt: null, shortName: null },
    }));
    const seq = await inTx(db.pool, async (conn) => (await appendChangesOfMerchants(conn, new Map([['BM', changes]]))).get('BM') ?? 0);
    srv.hub.changed('BM', seq);
    const tap = kitchen.locator('[data-item="B1a"]').click();
    await kitchen.waitForFunction((s) => document.body.dataset.seq === String(s), seq);
    await tap;
    await kitchen.locator('[data-item="B1a"][data-state="READY"]').waitFor();
    const renders = Number(await kitchen.evaluate(() => document.body.dataset.renders)) - rendersBefore;
    assert.ok(renders < 40, `${renders} renders for 500 changes`);
    await kitchen.close();
  });

  it('waiter phone: the serve call arrives without sideways scroll; a served dish can be undone; a cancelled READY dish is a pull', async () => {
    await applyAnswer(db.pool, srv.hub, answer('W1', 'WM', 1, '12', [['W1a', 'Katsu curry with extra rice and a very long name', 'ACTIVE'], ['W1b', 'Gyoza', 'ACTIVE']]));
    await applyAnswer(db.pool, srv.hub, answer('W2', 'WM', 1, null, [['W2a', 'Miso soup', 'ACTIVE']]));
    const waiter = await open(`/waiter?token=${token('waiter', 'WM')}`, PHONE);
    await waiter.locator('#status[data-state="live"]').waitFor();
    const kitchen = token('kitchen', 'WM');
    const post = (p: string, tok: string) => fetch(srv.base + p, { method: 'POST', headers: { authorization: `Bearer ${tok}` } });

    assert.equal((await post('/api/orders/W1/ready', kitchen)).status, 200);
    assert.equal((await post('/api/orders/W2/ready', kitchen)).status, 200);
    const call = waiter.locator('[data-serve="W1a"]');
    await call.waitFor();
    await waiter.locator('[data-serve="W2a"]').waitFor();
    assert.match(await call.innerText(), /Table 12/);
    assert.match(await waiter.locator('[data-serve="W2a"]').innerText(), /Take-away/);
    assert.equal(await waiter.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'no horizontal scroll at 390 px');
    await shot(waiter, 'waiter-390x844');

    await call.click();
    await waiter.locator('[data-serve="W1a"]').waitFor({ state: 'detached' });
    await waiter.locator('[data-undo="W1a"]').click();
    await waiter.locator('[data-serve="W1a"]').waitFor();

    await applyAnswer(db.pool, srv.hub, answer('W1', 'WM', 2, '12', [['W1a', 'Katsu curry with extra rice and a very long name', 'ACTIVE'], ['W1b', 'Gyoza', 'CANCELLED']]));
    const pull = waiter.locator('[data-pull="W1b"]');
    await pull.waitFor();
    assert.match(await pull.innerText(), /Take off the pass/);
    await waiter.locator('[data-serve="W1b"]').waitFor({ state: 'detached' });
    assert.equal(await waiter.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);
    await shot(waiter, 'waiter-pull-390x844');
    await waiter.close();
  });

  it('pickup board moves a number from preparing to ready', async () => {
    await seedOrder(db.pool, { orderId: 'PK0042', merchantId: 'PKM', tableNo: null, dishes: [{ itemId: 'PK1a' }, { itemId: 'PK1b' }] }, srv.hub);
    await seedOrder(db.pool, { orderId: 'PK0043', merchantId: 'PKM', tableNo: null, dishes: [{ itemId: 'PK2a' }] }, srv.hub);
    const board = await open(`/pickup?token=${token('admin')}&merchant=PKM&every=300`, TABLET);
    await board.locator('#preparing [data-ticket="0042"]').waitFor();
    await board.locator('#preparing [data-ticket="0043"]').waitFor();
    const res = await fetch(`${srv.base}/api/orders/PK0042/ready`, { method: 'POST', headers: { authorization: `Bearer ${token('kitchen', 'PKM')}` } });
    assert.equal(res.status, 200);
    await board.locator('#ready [data-ticket="0042"]').waitFor();
    assert.equal(await board.locator('#preparing [data-ticket="0042"]').count(), 0);
    await shot(board, 'pickup-1280x800');
    await board.close();
  });

  it('chime is opt-in with one visible tap; a token near expiry is announced', async () => {
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'CM', undefined, 600)}`, TABLET);
    await kitchen.locator('#status[data-state="live"]').waitFor();
    assert.equal(await kitchen.locator('#sound').getAttribute('data-state'), 'off');
    await kitchen.locator('#sound').click();
    await kitchen.waitForFunction(() => document.getElementById('sound')?.dataset.state !== 'off');
    await seedOrder(db.pool, { orderId: 'C1', merchantId: 'CM', dishes: [{ itemId: 'C1a' }] }, srv.hub);
    await kitchen.locator('[data-item="C1a"]').waitFor();
    await kitchen.waitForFunction(() => Number(document.body.dataset.chimes ?? '0') >= 1);
    assert.match(await kitchen.locator('#announce').innerText(), /New ticket/);
    const expiry = kitchen.locator('#expiry');
    await expiry.waitFor();
    assert.match(await expiry.innerText(), /expires in 10 min/);
    await shot(kitchen, 'kitchen-expiry-sound');
    await kitchen.close();
  });
});

// The screens in real headless Chromium against a real server and database.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { allowPageErrors, assertNoPageErrors, watchPage } from '../support/browser';
import { markDish } from '../../src/dishes/mark';
import { type TestDb } from '../support/db';
import { seedOrder, startServer, token, type Running } from '../support/screens';
import { createUnitOfWork } from '../../src/changes/unit-of-work';
import { closeE2e, openE2e } from '../support/e2e-stack';

let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('screens'));
});

after(() => closeE2e({ db, srv, browser }));

// a page that throws, or logs an error, fails the test that opened it
afterEach(assertNoPageErrors);

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  watchPage(page, path);
  await page.goto(srv.base + path);
  return page;
}

describe('screens', () => {
  it('cook marks a dish, the waiter gets the call and serves it, the guest sees it served', async () => {
    await seedOrder(db.pool, {
      orderId: 'E1', merchantId: 'EM', tableNo: '12', placedAt: new Date(Date.now() - 90_000),
      dishes: [{ itemId: 'E1a', name: 'Ramen', station: 'grill' }, { itemId: 'E1b', name: 'Salad', station: 'cold' }],
    }, srv.hub);
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'EM')}&warnAhead=540&late=600`);
    const cold = await open(`/kitchen?token=${token('kitchen', 'EM')}&station=cold`);
    const waiter = await open(`/waiter?token=${token('waiter', 'EM')}`);
    const guest = await open(`/guest?token=${token('guest', 'EM', 'E1')}`);

    await kitchen.locator('[data-item="E1a"][data-state="WAITING"]').waitFor();
    assert.ok(!kitchen.url().includes('token='), 'the token leaves the address bar');
    assert.equal(await kitchen.locator('[data-order="E1"]').getAttribute('class'), 'ticket warn', 'due in 510 s, within warnAhead=540');
    await cold.locator('[data-item="E1b"]').waitFor();
    assert.equal(await cold.locator('[data-item="E1a"]').count(), 0, 'station filter');
    await guest.locator('[data-item="E1a"][data-state="WAITING"]').waitFor();
    await waiter.locator('#status[data-state="live"]').waitFor();

    await kitchen.locator('[data-item="E1a"]').click();
    await kitchen.locator('[data-item="E1a"][data-state="READY"]').waitFor();
    await guest.locator('[data-item="E1a"][data-state="READY"]').waitFor();
    const call = waiter.locator('[data-serve="E1a"]');
    await call.waitFor();
    assert.match(await call.innerText(), /Table 12/);
    await call.click();
    await waiter.locator('[data-serve="E1a"]').waitFor({ state: 'detached' });
    await guest.locator('[data-item="E1a"][data-state="SERVED"]').waitFor();
    await kitchen.locator('[data-item="E1a"][data-state="SERVED"]').waitFor();
    for (const p of [kitchen, cold, waiter, guest]) await p.close();
  });

  it('a screen that lost its connection shows every change made meanwhile once it is back', async () => {
    await seedOrder(db.pool, { orderId: 'R1', merchantId: 'RM', dishes: [{ itemId: 'R1a' }, { itemId: 'R1b' }] }, srv.hub);
    const kitchen = await open(`/kitchen?token=${token('kitchen', 'RM')}`);
    const waiter = await open(`/waiter?token=${token('waiter', 'RM')}`);
    await kitchen.locator('[data-item="R1a"][data-state="WAITING"]').waitFor();
    await waiter.locator('#status[data-state="live"]').waitFor();

    const port = srv.port;
    // the screens' reconnect attempts while no server listens are the point of this test
    allowPageErrors(/WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/);
    await srv.close();
    await kitchen.locator('#status[data-state="reconnecting"]').waitFor();
    // changes committed while the screens are cut off (e.g. by another instance)
    const quiet = { changed: () => undefined };
    const marked = await markDish({ work: createUnitOfWork({ pool: db.pool, notifier: quiet }) }, { itemId: 'R1a', target: 'READY', mayAccess: () => true });
    assert.equal(marked.kind, 'ok');
    await seedOrder(db.pool, { orderId: 'R2', merchantId: 'RM', tableNo: '4', dishes: [{ itemId: 'R2a', name: 'Pie' }] });
    srv = await startServer(db.pool, { port });

    await kitchen.locator('[data-item="R1a"][data-state="READY"]').waitFor({ timeout: 15_000 });
    await kitchen.locator('[data-item="R2a"][data-state="WAITING"]').waitFor();
    await kitchen.locator('#status[data-state="live"]').waitFor();
    assert.equal(await kitchen.evaluate(() => document.body.dataset.seq), '6', '3 seeded + 1 mark + 2 new order changes');
    await waiter.locator('[data-serve="R1a"]').waitFor({ timeout: 15_000 });
    await kitchen.close();
    await waiter.close();
  });
});

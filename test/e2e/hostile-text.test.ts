// Text from orders is shown as text: a dish name, note, station and table made of HTML, script and
// Unicode direction controls reach the kitchen page through the pipeline's own SQL, and Chromium
// shows them as written, in logical order, with nothing run. Any page error or console error fails.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser } from 'playwright-core';
import { parseOrderDetails } from '../../src/order-service/details';
import { type TestDb } from '../support/db';
import { applyAnswer, token, type Running } from '../support/screens';
import { closeE2e, openE2e } from '../support/e2e-stack';

const SHOTS = '.cache/screens';
const RLO = '\u202e';
const NAME = `<img src=x onerror="window.__pwned='img'">${RLO}<script>window.__pwned='script'</script>Ramen`;
const NOTE_HEAD = `no <b>nuts</b><script>window.__pwned='note'</script>${RLO}eltsil`;
// 64 KB less a byte: the most dishes.note (TEXT) holds; a name that long the KDS refuses (at most
// 255 characters, src/order-service/details.ts), so the long text is the note
const NOTE_BYTES = 65_535;
const NOTE = `${NOTE_HEAD} ${'x'.repeat(NOTE_BYTES - Buffer.byteLength(NOTE_HEAD) - 1)}`;
const STATION = `<svg onload="window.__pwned='svg'">`;
const TABLE = `<iframe src="javascript:window.top.__pwned='iframe'">`;
const shown = (s: string): string => s.replaceAll(RLO, '');

let db: TestDb;
let srv: Running;
let browser: Browser;

before(async () => {
  ({ db, srv, browser } = await openE2e('hostile'));
});

after(() => closeE2e({ db, srv, browser }));

function answer(items: Array<Record<string, unknown>>): unknown {
  const at = new Date(Date.now() - 60_000).toISOString();
  return { orderId: 'H1', merchantId: 'HM', tableNo: TABLE, status: 'PLACED', version: 1, placedAt: at, updatedAt: at, items };
}

describe('hostile text on the kitchen page', () => {
  it('the order service refuses a 64 KB name (contract: at most 255 characters)', () => {
    assert.throws(() => parseOrderDetails(answer([{ itemId: 'H1x', name: 'x'.repeat(64 * 1024), quantity: 1, status: 'ACTIVE' }]), 'H1'),
      /invalid name/);
  });

  it('HTML, script and RLO in a name, note, station and table are shown as text; nothing runs', async () => {
    assert.equal(Buffer.byteLength(NOTE), NOTE_BYTES);
    const details = parseOrderDetails(answer([
      { itemId: 'H1a', name: NAME, quantity: 2, station: STATION, note: NOTE, status: 'ACTIVE' },
      { itemId: 'H1b', name: `${RLO}Salad 3× Tofu`, quantity: 1, station: STATION, note: null, status: 'ACTIVE' },
    ]), 'H1');
    await applyAnswer(db.pool, srv.hub, details);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      // the browser's own /favicon.ico request (the pages have no icon) is no error of the page
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`console error: ${m.text()} at ${m.location().url}`);
    });
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    // a request for "x" would mean an <img> was made from the name
    page.on('request', (r) => {
      if (!r.url().startsWith(srv.base) || /\/x$/.test(r.url())) problems.push(`request: ${r.url()}`);
    });
    await page.goto(`${srv.base}/kitchen?token=${token('kitchen', 'HM')}`);
    const row = page.locator('[data-item="H1a"]');
    await row.waitFor();
    await page.locator('#status[data-state="live"]').waitFor();

    assert.equal(await row.locator('.name bdi').textContent(), shown(NAME), 'the name as written, without RLO');
    assert.equal(await row.locator('.note').textContent(), shown(NOTE));
    assert.equal(await page.locator('[data-item="H1b"] .name bdi').textContent(), 'Salad 3× Tofu');
    assert.equal(await page.locator('[data-order="H1"] .table').textContent().then((t) => t?.includes(TABLE)), true);
    const injected = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
      elements: document.querySelectorAll('#board img, #board script, #board svg, #board iframe, #board b:not(.tag):not(.rush-flag)').length,
      rlo: document.body.innerText.includes('\u202e'),
    }));
    assert.deepEqual(injected, { pwned: null, elements: 0, rlo: false });
    // the quantity stays left of the name: nothing reordered the row
    const qty = await row.locator('.qty').boundingBox();
    const name = await row.locator('.name bdi').boundingBox();
    assert.ok(qty !== null && name !== null && qty.x < name.x, JSON.stringify({ qty, name }));
    // a 64 KB note does not push the ticket off the screen
    const ticket = await page.locator('[data-order="H1"]').boundingBox();
    assert.ok(ticket !== null && ticket.height < 800, `ticket ${ticket?.height ?? '?'} px high`);

    await page.screenshot({ path: `${SHOTS}/kitchen-hostile-text-1280x800.png` });
    // a tap on the hostile dish works like any other
    await row.click();
    await page.locator('[data-item="H1a"][data-state="READY"]').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });
});

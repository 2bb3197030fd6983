// Headless Chromium for the e2e tests, and the rule that a page that throws fails its test: every
// uncaught page error and every console error of every page opened is kept, and `assertNoPageErrors`
// (each file's afterEach) fails the test that produced one. A test that provokes an error on
// purpose (a refused action, a dropped socket) says so with `allowPageErrors`.
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const seen: string[] = [];
let allowed: RegExp[] = [];

/** Records the page's uncaught errors and console errors under `label`. */
export function watchPage(page: Page, label: string): Page {
  const where = label.split('?')[0]; // never a token in a report
  page.on('pageerror', (err) => seen.push(`${where}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url.split('?')[0];
    seen.push(`${where}: console error: ${msg.text().replace(/token=[^&'"\s]+/g, 'token=…')}${url ? ` (${url})` : ''}`);
  });
  return page;
}

/** For the current test only: errors matching one of these are expected (e.g. a 409 it provokes). */
export function allowPageErrors(...patterns: RegExp[]): void {
  allowed.push(...patterns);
}

/** Fails with every error seen since the last call that the test did not allow; then starts afresh. */
export function assertNoPageErrors(): void {
  const errors = seen.splice(0).filter((e) => !allowed.some((p) => p.test(e)));
  allowed = [];
  assert.deepEqual(errors, [], 'page errors or console errors');
}

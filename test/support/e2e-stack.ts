// What an e2e file opens before its tests and closes after them: a fresh database, the screens'
// server on it (test/support/screens.ts) and headless Chromium; screenshots go to .cache/screens.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { freshDatabase, type TestDb } from './db';
import { startServer, type Running } from './screens';

export const SHOTS = path.resolve(__dirname, '..', '..', '.cache', 'screens');

export interface E2eStack {
  db: TestDb;
  srv: Running;
  browser: Browser;
}

export async function openE2e(label: string): Promise<E2eStack> {
  mkdirSync(SHOTS, { recursive: true });
  const db = await freshDatabase(label);
  const srv = await startServer(db.pool);
  const browser = await launchChromium();
  return { db, srv, browser };
}

/** Closes what was opened, in reverse; a part that never opened is skipped. */
export async function closeE2e(s: Partial<E2eStack>): Promise<void> {
  await s.browser?.close();
  await s.srv?.close();
  await s.db?.drop();
}

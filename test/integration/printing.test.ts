// Kitchen printers (厨打) on a real database with two instances and a printer of the test's own
// (simulator/printer.ts: a TCP server that decodes GB18030/UTF-8 ESC/POS and cuts slips at GS V).
// Each instance is the production builder (buildPrinting) behind a real HTTP server and push hub.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import type { RowDataPacket } from 'mysql2/promise';
import type { Config } from '../../src/config';
import { createTeardown } from '../../src/lifecycle/teardown';
import { upsertLanguage } from '../../src/merchant-settings/language';
import { upsertZone } from '../../src/merchant-settings/upsert-zone';
import { silentLogger } from '../../src/log';
import { buildPresence } from '../../src/presence/build';
import { createStationScreens } from '../../src/presence/screens';
import { buildPrinting, type Printing } from '../../src/printing/build';
import { startPrinterSimulator, type PrintedSlip, type PrinterSimulator } from '../../simulator/printer';
import type { UnitOfWork } from '../../src/changes/unit-of-work';
import { freshDatabase, type TestDb } from '../support/db';
import { startFiring, type FiringInstance } from '../support/firing';
import { api, Screen, seedOrder, startServer, token, waitUntil, type Running } from '../support/screens';

const AFTER_S = 2;
const config: Pick<Config, 'printing' | 'stats' | 'archive'> = {
  printing: { fallbackAfterS: AFTER_S, retryMaxS: 1, timeoutMs: 3000 },
  stats: { defaultTimeZone: 'Asia/Shanghai', lateAfterS: 900 },
  archive: { cron: '0 0 0 * * *', afterDays: 7, boardDays: 3, pausePercent: 0 },
};

interface Instance {
  srv: Running;
  printing: Printing;
  close(): Promise<void>;
}

let db: TestDb;
const instances: Instance[] = [];
const printers: PrinterSimulator[] = [];

async function startInstance(name: string, opts: { firing?: boolean } = {}): Promise<Instance> {
  // as the composition root wires them: one presence per instance, the hub counts its kitchen
  // screens there, the printers ask it through their StationScreens port
  const teardown = createTeardown(silentLogger);
  const presence = buildPresence({ pool: db.pool, log: silentLogger, teardown });
  const printing = buildPrinting({
    config, pool: db.pool, log: silentLogger, teardown, instanceId: `${name}-${Date.now()}`, screens: createStationScreens(presence),
  });
  let firing: FiringInstance | undefined;
  const srv = await startServer(db.pool, {
    presence, hub: { pollMs: 100 }, routers: [printing.routes],
    ...(opts.firing ? { routersWith: (work: UnitOfWork) => (firing = startFiring(db.pool, work)).firing.routes } : {}),
  });
  const inst: Instance = {
    srv, printing,
    async close() {
      await srv.close();
      await firing?.stop();
      await teardown.close();
      instances.splice(instances.indexOf(inst), 1);
    },
  };
  instances.push(inst);
  return inst;
}

async function printer(): Promise<PrinterSimulator> {
  const p = await startPrinterSimulator();
  printers.push(p);
  return p;
}

before(async () => {
  db = await freshDatabase('printing');
});

after(async () => {
  for (const i of [...instances]) await i.close();
  for (const p of printers) await p.close();
  await db?.drop();
});

const put = (i: Instance, merchantId: string, station: string, body: unknown, tok = token('manager', merchantId)) =>
  api(i.srv.base, 'PUT', `/api/merchants/${merchantId}/stations/${encodeURIComponent(station)}/printer`, tok, JSON.stringify(body));

const kitchenScreen = async (i: Instance, merchantId: string, station: string): Promise<Screen> => {
  const s = new Screen(`${i.srv.wsBase}?token=${token('kitchen', merchantId)}&station=${encodeURIComponent(station)}`);
  await s.opened;
  await s.wait((f) => f.some((x) => x.type === 'snapshot'), 'snapshot');
  return s;
};

const fallbackSince = async (merchantId: string, station: string): Promise<Date | null> => {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    'SELECT fallback_since FROM print_printers WHERE merchant_id = ? AND station = ?', [merchantId, station]);
  return (rows[0]?.fallback_since as Date | null) ?? null;
};

const jobs = async (merchantId: string): Promise<RowDataPacket[]> => {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT * FROM print_jobs WHERE merchant_id = ? ORDER BY id', [merchantId]);
  return rows;
};

const slipsWith = (p: PrinterSimulator, text: string): PrintedSlip[] => p.slips.filter((s) => s.lines.some((l) => l.includes(text)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('printer fallback across two instances', () => {
  it('prints nothing while a screen of the station is connected anywhere; after PRINT_FALLBACK_AFTER_S without one, every open dish once, then each new one', async () => {
    const [a, b] = [await startInstance('a'), await startInstance('b')];
    const p = await printer();
    const M = 'FB1';
    assert.equal((await put(a, M, '炒锅', { host: '127.0.0.1', port: p.port, encoding: 'GB18030', mode: 'fallback', width: 32 })).status, 200);
    const screen = await kitchenScreen(b, M, '炒锅');
    await seedOrder(db.pool, { orderId: 'FB1-1', merchantId: M, tableNo: '8', dishes: [
      { itemId: 'FB1-1a', name: '宫保鸡丁', station: '炒锅', quantity: 2 },
      { itemId: 'FB1-1b', name: '麻婆豆腐', station: '炒锅' },
      { itemId: 'FB1-1c', name: '凉拌黄瓜', station: '冷菜' },
    ] }, a.srv.hub);

    // three fallback delays with the screen on instance b: nothing on either instance
    await pause(AFTER_S * 3000);
    assert.equal(await fallbackSince(M, '炒锅'), null);
    assert.equal(p.slips.length, 0, 'nothing printed while a screen is connected');

    const closedAt = Date.now();
    await screen.close();
    const slip = await waitUntil(() => slipsWith(p, '宫保鸡丁')[0], 'the backup slip', 60_000);
    assert.ok(Date.now() - closedAt >= AFTER_S * 1000, 'not before PRINT_FALLBACK_AFTER_S');
    assert.ok(await fallbackSince(M, '炒锅'));
    assert.equal(slip.encoding, 'GB18030');
    assert.ok(slip.lines.includes('*** BACKUP ***'));
    assert.ok(slip.lines.includes('FB1 / 炒锅'));
    assert.ok(slip.lines.includes('2 x 宫保鸡丁'), 'Chinese names decode');
    assert.ok(slip.lines.includes('1 x 麻婆豆腐'), 'both dishes of the station on one slip');
    assert.ok(slip.lines.some((l) => l.endsWith(' 8 号桌')), 'the table, in Chinese without a merchant language');
    assert.ok(!slip.lines.some((l) => l.includes('凉拌黄瓜')), 'another station has no printer');

    // a dish fired during the fallback prints too
    await seedOrder(db.pool, { orderId: 'FB1-2', merchantId: M, dishes: [{ itemId: 'FB1-2a', name: '鱼香肉丝', station: '炒锅' }] }, b.srv.hub);
    await waitUntil(() => slipsWith(p, '鱼香肉丝').length > 0, 'the new dish', 60_000);

    // several rounds of both instances later, each dish is still printed once
    for (const i of [a, b]) await i.printing.worker.runOnce();
    await pause(1500);
    for (const name of ['宫保鸡丁', '麻婆豆腐', '鱼香肉丝']) assert.equal(slipsWith(p, name).length, 1, name);
    const rows = await jobs(M);
    assert.deepEqual(rows.map((r): unknown[] => [r.item_id, r.status, Number(r.backup)]), [
      ['FB1-1a', 'PRINTED', 1], ['FB1-1b', 'PRINTED', 1], ['FB1-2a', 'PRINTED', 1],
    ]);

    // a screen of every station on instance a ends the fallback: nothing more prints
    const all = await kitchenScreen(a, M, '');
    await waitUntil(async () => (await fallbackSince(M, '炒锅')) === null, 'the fallback to end', 30_000);
    await seedOrder(db.pool, { orderId: 'FB1-3', merchantId: M, dishes: [{ itemId: 'FB1-3a', name: '回锅肉', station: '炒锅' }] }, a.srv.hub);
    await pause(AFTER_S * 2000);
    assert.equal(slipsWith(p, '回锅肉').length, 0);
    await all.close();
    await a.close();
    await b.close();
  });
});

describe('a printer that is off', () => {
  it('gets the slips made meanwhile when it is back, also after a restart of the service; retried slips say REPRINT', async () => {
    const a = await startInstance('c');
    const p = await printer();
    const M = 'PO1';
    assert.equal((await put(a, M, 'grill', { host: '127.0.0.1', port: p.port, encoding: 'UTF-8', mode: 'always' })).status, 200);
    await p.close(); // switched off
    await seedOrder(db.pool, { orderId: 'PO1-1', merchantId: M, dishes: [{ itemId: 'PO1-1a', name: '叉烧饭', station: 'grill' }] }, a.srv.hub);
    await waitUntil(async () => (await jobs(M)).some((r) => r.last_error !== null), 'a failed attempt', 60_000);
    const printersView = await api(a.srv.base, 'GET', `/api/merchants/${M}/printers`, token('manager', M));
    const view = (printersView.json as unknown as Array<Record<string, unknown>>)[0];
    assert.equal(view?.queued, 1);
    assert.match(String(view?.lastError), /printer 127\.0\.0\.1/);

    await p.reopen(); // back on
    const slip = await waitUntil(() => slipsWith(p, '叉烧饭')[0], 'the slip once the printer is back', 60_000);
    assert.equal(slip.encoding, 'UTF-8');
    assert.ok(slip.lines.includes('*** REPRINT ***'), 'a retried slip is marked');
    assert.ok(!slip.lines.includes('*** BACKUP ***'), 'always mode is no backup');

    // off again; a slip queued, the service restarted, the printer back: it arrives
    await p.close();
    await seedOrder(db.pool, { orderId: 'PO1-2', merchantId: M, dishes: [{ itemId: 'PO1-2a', name: '烧鹅', station: 'grill', quantity: 3 }] }, a.srv.hub);
    await waitUntil(async () => (await jobs(M)).some((r) => r.item_id === 'PO1-2a' && r.last_error !== null), 'a failed attempt', 60_000);
    await a.close();
    const restarted = await startInstance('c2');
    await p.reopen();
    const again = await waitUntil(() => slipsWith(p, '烧鹅')[0], 'the slip after a restart', 60_000);
    assert.ok(again.lines.includes('3 x 烧鹅'));
    assert.equal(slipsWith(p, '叉烧饭').length, 1, 'the first slip is not printed again');
    // the printer has the bytes before the worker records PRINTED (it waits for the socket to end)
    await waitUntil(async () => (await jobs(M)).every((r) => String(r.status) === 'PRINTED'), 'both slips recorded PRINTED', 10_000);
    assert.deepEqual((await jobs(M)).map((r) => String(r.status)), ['PRINTED', 'PRINTED']);
    assert.equal(slipsWith(p, '烧鹅').length, 1, 'the slip after the restart is printed once');
    await restarted.close();
  });
});

describe('always mode and the reprint call', () => {
  it('prints each fired dish with a screen connected, and again on a cook\'s call; answers 400, 403, 404, 409', async () => {
    const a = await startInstance('d');
    const p = await printer();
    const M = 'AL1';
    const screen = await kitchenScreen(a, M, 'wok');
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', port: p.port, encoding: 'GB18030', mode: 'always', width: 48 })).status, 200);
    await seedOrder(db.pool, { orderId: 'AL1-1', merchantId: M, tableNo: null, dishes: [{ itemId: 'AL1-1a', name: '炒河粉', station: 'wok' }] }, a.srv.hub);
    const first = await waitUntil(() => slipsWith(p, '炒河粉')[0], 'the always slip', 60_000);
    assert.ok(!first.lines.includes('*** BACKUP ***'));
    assert.ok(!first.lines.includes('*** REPRINT ***'));
    assert.ok(first.lines.some((l) => l.endsWith(' 外带')), 'no table: take-away');

    const kitchen = token('kitchen', M);
    const again = await api(a.srv.base, 'POST', '/api/orders/AL1-1/print?station=wok', kitchen);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { queued: 1 });
    const reprint = await waitUntil(() => slipsWith(p, '炒河粉')[1], 'the reprint', 60_000);
    assert.ok(reprint.lines.includes('*** REPRINT ***'));

    assert.equal((await api(a.srv.base, 'POST', '/api/orders/AL1-1/print?station=cold', kitchen)).status, 409);
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/nope/print', kitchen)).status, 404);
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/AL1-1/print', token('kitchen', 'OTHER'))).status, 403);
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/AL1-1/print', token('waiter', M))).status, 403);
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', encoding: 'Big5', mode: 'always' })).status, 400);
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', encoding: 'UTF-8', mode: 'sometimes' })).status, 400);
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', encoding: 'UTF-8', mode: 'off', width: 40 })).status, 400);
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', encoding: 'UTF-8', mode: 'off' }, token('kitchen', M))).status, 403);
    const list = await api(a.srv.base, 'GET', `/api/merchants/${M}/printers`, token('manager', M));
    assert.equal(list.status, 200);
    assert.deepEqual((list.json as unknown as Array<Record<string, unknown>>).map((x) => [x.station, x.mode, x.port, x.width, x.encoding]),
      [['wok', 'always', p.port, 48, 'GB18030']]);
    await screen.close();
    await a.close();
  });
});

describe('take-away and delivery slips', () => {
  // the pickup time as a clock in the merchant's zone, computed here apart from the slip's code
  const clock = (at: Date, timeZone: string): string =>
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

  it('GB18030 on 32 columns: 外卖, 美团 and the pickup time in the merchant\'s zone; a 64 KB HTML note keeps to its lines', async () => {
    const a = await startInstance('e');
    const p = await printer();
    const M = 'TA1';
    const pickupAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 40 * 60_000);
    await upsertZone(db.pool, M, 'Asia/Tokyo', new Date());
    // 64 KB, as much as dishes.note (TEXT) holds
    const note = `<script>alert(1)</script>${'多放葱'.repeat(7200)}`;
    await seedOrder(db.pool, { orderId: 'TA1-1', merchantId: M, tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt, dishes: [
      { itemId: 'TA1-1a', name: '扬州炒饭', station: '炒锅', quantity: 2, note },
    ] }, a.srv.hub);
    assert.equal((await put(a, M, '炒锅', { host: '127.0.0.1', port: p.port, encoding: 'GB18030', mode: 'always', width: 32 })).status, 200);
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/TA1-1/print?station=%E7%82%92%E9%94%85', token('kitchen', M))).status, 200);
    const slip = await waitUntil(() => slipsWith(p, '扬州炒饭')[0], 'the delivery slip', 60_000);
    assert.equal(slip.encoding, 'GB18030');
    assert.ok(slip.bytes.includes(iconv.encode('外卖 美团', 'gb18030')), 'channel and platform as GB18030 bytes');
    assert.ok(slip.lines.includes('#A1-1 外卖 美团'), slip.lines.join('|'));
    const hm = clock(pickupAt, 'Asia/Tokyo');
    assert.ok(slip.lines.some((l) => l.endsWith(`${hm} 取餐`)), `pickup ${hm} (Tokyo) in ${slip.lines.join('|')}`);
    assert.ok(!slip.lines.some((l) => l.endsWith(`${clock(pickupAt, 'Asia/Shanghai')} 取餐`)), 'not the default zone');
    assert.ok(slip.lines.includes('2 x 扬州炒饭'));
    const noteLines = slip.lines.filter((l) => l.includes('多放葱') || l.includes('<script>'));
    assert.equal(noteLines.length, 4, 'the note: four lines');
    assert.ok(noteLines[0]?.startsWith('  ! <script>alert(1)</script>'), 'markup printed as text');
    assert.ok(noteLines[3]?.endsWith('...'));
    assert.equal(p.slips.length, 1, 'one slip, one cut');
    assert.ok(slip.bytes.length < 4096, `${slip.bytes.length} bytes`);
    await a.close();
  });

  it('UTF-8 on 48 columns in the merchant\'s language (en): Take-away, 饿了么, Pickup', async () => {
    const a = await startInstance('f');
    const p = await printer();
    const M = 'TA2';
    await upsertLanguage(db.pool, M, 'en', new Date());
    assert.equal((await put(a, M, 'grill', { host: '127.0.0.1', port: p.port, encoding: 'UTF-8', mode: 'always', width: 48 })).status, 200);
    const pickupAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 25 * 60_000);
    await seedOrder(db.pool, { orderId: 'TA2-1', merchantId: M, tableNo: null, channel: 'TAKEAWAY', platform: 'eleme', pickupAt, dishes: [
      { itemId: 'TA2-1a', name: 'Char siu rice', station: 'grill' },
    ] }, a.srv.hub);
    const slip = await waitUntil(() => slipsWith(p, 'Char siu rice')[0], 'the take-away slip', 60_000);
    assert.equal(slip.encoding, 'UTF-8');
    assert.ok(slip.lines.includes('#A2-1 Take-away 饿了么'), slip.lines.join('|'));
    assert.ok(slip.bytes.includes(Buffer.from('饿了么', 'utf8')));
    const hm = clock(pickupAt, 'Asia/Shanghai');
    assert.ok(slip.lines.some((l) => l === `Pickup ${hm}` || (l.startsWith('Pickup ') && l.endsWith(` ${hm}`))), `pickup ${hm}`);
    await a.close();
  });
});

describe('held dishes (叫起)', () => {
  it('a held dish is not printed; it prints when fired, and again for each new firing', async () => {
    const a = await startInstance('g', { firing: true });
    const p = await printer();
    const M = 'HF1';
    assert.equal((await put(a, M, 'wok', { host: '127.0.0.1', port: p.port, encoding: 'GB18030', mode: 'always', width: 32 })).status, 200);
    await seedOrder(db.pool, { orderId: 'HF1-1', merchantId: M, dishes: [
      { itemId: 'HF1-1a', name: '干炒牛河', station: 'wok' },
      { itemId: 'HF1-1b', name: '清蒸鲈鱼', station: 'wok', held: true },
    ] }, a.srv.hub);
    await waitUntil(() => slipsWith(p, '干炒牛河')[0], 'the fired dish', 60_000);
    for (let i = 0; i < 3; i++) await a.printing.worker.runOnce();
    assert.equal(slipsWith(p, '清蒸鲈鱼').length, 0, 'held: not to be cooked, not printed');

    const waiter = token('waiter', M);
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/HF1-1/fire', waiter)).status, 200);
    await waitUntil(() => slipsWith(p, '清蒸鲈鱼')[0], 'the dish once fired', 60_000);

    // held again, fired again: a new firing, a new slip for both
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/HF1-1/hold', waiter)).status, 200);
    await pause(5); // fired_at has milliseconds: the next firing is another moment
    assert.equal((await api(a.srv.base, 'POST', '/api/orders/HF1-1/fire', waiter)).status, 200);
    await waitUntil(() => slipsWith(p, '干炒牛河').length === 2 && slipsWith(p, '清蒸鲈鱼').length === 2, 'both again', 60_000);
    for (let i = 0; i < 3; i++) await a.printing.worker.runOnce();
    assert.equal(slipsWith(p, '干炒牛河').length, 2);
    assert.equal(slipsWith(p, '清蒸鲈鱼').length, 2);
    await a.close();
  });
});

// Kitchen screens across instances, as src/presence/ owns them (migration 130): counted in
// presence_counts under the station's key, with when the last one left, so the printers' fallback
// can ask "does this station have a screen, and since when not". Two presences on one database
// are two instances; stationScreens() is what the printers ask through their port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { silentLogger } from '../../src/log';
import { createPresence, type Admission, type Presence } from '../../src/presence/presence';
import { kitchenScreenClaim, kitchenScreenKey, stationScreens } from '../../src/presence/screens';
import { freshDatabase, type TestDb } from '../support/db';
import { waitUntil } from '../support/screens';

let db: TestDb;
const presences: Presence[] = [];

before(async () => {
  db = await freshDatabase('kscreens');
});

after(async () => {
  for (const p of presences) await p.close();
  await db?.drop();
});

function instance(): Presence {
  const p = createPresence({ pool: db.pool, log: silentLogger, heartbeatMs: 200, freshMs: 1000 });
  presences.push(p);
  return p;
}

async function open(p: Presence, merchantId: string, station: string): Promise<() => void> {
  const a: Admission = await p.admit([{ key: `tok:${merchantId}${station}`, cap: 20 }, kitchenScreenClaim(merchantId, station)]);
  assert.ok(a.ok);
  return a.release;
}

const station = async (p: Presence, merchantId: string, s: string) => (await stationScreens(p, [{ merchantId, station: s }]))[0];

const rows = async (holder: string): Promise<RowDataPacket[]> =>
  (await db.pool.query<RowDataPacket[]>('SELECT * FROM presence_counts WHERE holder = ?', [holder]))[0];

describe('kitchen screens in presence', () => {
  it('the printers\' own table is gone', async () => {
    const [t] = await db.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'screen_presence'");
    assert.equal(Number(t[0]?.n), 0);
  });

  it('a station is watched until its last screen on any instance left, then idle from that moment', async () => {
    const [a, b] = [instance(), instance()];
    assert.deepEqual(await station(a, 'K1', 'wok'), { merchantId: 'K1', station: 'wok', screens: 0, idleMs: null }, 'never seen');
    const onA = await open(a, 'K1', 'wok');
    const onB = await open(b, 'K1', 'wok');
    assert.equal((await station(a, 'K1', 'wok'))?.screens, 2, 'both instances count');
    onA();
    await waitUntil(async () => (await station(b, 'K1', 'wok'))?.screens === 1, 'one left on b');
    assert.equal((await station(a, 'K1', 'wok'))?.idleMs, 0, 'still watched by b');
    await new Promise((r) => setTimeout(r, 500));
    onB();
    const leftAt = Date.now();
    const idle = await waitUntil(async () => {
      const s = await station(a, 'K1', 'wok');
      return s?.screens === 0 && s.idleMs !== null ? s : undefined;
    }, 'no screen');
    assert.ok((idle.idleMs ?? 0) < 1000, `idle from the last leaving (${idle.idleMs} ms), not the first`);
    await new Promise((r) => setTimeout(r, 600));
    const later = await station(a, 'K1', 'wok');
    assert.ok((later?.idleMs ?? 0) >= 600 && (later?.idleMs ?? 0) < 600 + (Date.now() - leftAt), `idle grows: ${later?.idleMs}`);
    // the token's key is deleted at 0 as before; the station's is kept at 0 with when it was left
    assert.equal((await rows('tok:K1wok')).length, 0);
    assert.ok((await rows(kitchenScreenKey('K1', 'wok'))).every((r) => Number(r.sockets) === 0 && r.left_at instanceof Date));
  });

  it('a screen of every station watches each station; a station\'s own screen does not watch the others', async () => {
    const a = instance();
    const all = await open(a, 'K2', '');
    for (const s of ['wok', 'cold']) assert.equal((await station(a, 'K2', s))?.screens, 1, s);
    const wok = await open(a, 'K2', 'wok');
    all();
    await waitUntil(async () => (await station(a, 'K2', 'cold'))?.screens === 0, 'cold unwatched');
    assert.equal((await station(a, 'K2', 'wok'))?.screens, 1);
    assert.equal((await station(a, 'K2', ''))?.screens, 0, 'every station: only its own screens');
    const cold = await station(a, 'K2', 'cold');
    assert.ok(cold?.idleMs !== null && (cold?.idleMs ?? -1) >= 0, 'cold idle since the all-station screen left');
    wok();
  });

  it('an instance that stops with a screen open records when it left; a killed one counts while fresh, then is idle from its last heartbeat', async () => {
    const a = instance();
    await open(a, 'K3', 'grill');
    await a.close();
    const b = instance();
    const afterStop = await station(b, 'K3', 'grill');
    assert.equal(afterStop?.screens, 0, 'a stopped instance stops counting at once');
    assert.ok(afterStop?.idleMs !== null && (afterStop?.idleMs ?? Infinity) < 1000, `left at the stop: ${afterStop?.idleMs}`);

    // killed: its rows stay, its heartbeat stops
    await db.pool.query("INSERT INTO presence_instances (instance_id, seen_at) VALUES ('killed', NOW(3))");
    await db.pool.query("INSERT INTO presence_counts (holder, instance_id, sockets) VALUES (?, 'killed', 2)", [kitchenScreenKey('K3', 'bar')]);
    assert.equal((await station(b, 'K3', 'bar'))?.screens, 2, 'fresh: counts');
    await db.pool.query("UPDATE presence_instances SET seen_at = NOW(3) - INTERVAL 5 SECOND WHERE instance_id = 'killed'");
    const dead = await station(b, 'K3', 'bar');
    assert.equal(dead?.screens, 0, 'stale: no longer a screen');
    assert.ok((dead?.idleMs ?? 0) >= 5000 && (dead?.idleMs ?? 0) < 6000, `idle from its last heartbeat: ${dead?.idleMs}`);
  });
});

// Fire by prep time across restarts and instances (design note 10): a scheduled fire is never lost
// and happens once. The pollers are the production builder's (src/firing/build.ts), each with its
// own node-cron task, against one real database: "instances" share nothing but MySQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { createUnitOfWork } from '../../src/changes/unit-of-work';
import { parseOrderDetails } from '../../src/order-service/details';
import { freshDatabase, type TestDb } from '../support/db';
import { startFiring, type FiringInstance } from '../support/firing';
import { count } from '../support/orders';
import { applyAnswer, waitUntil } from '../support/screens';

let db: TestDb;
const notifier = { changed: () => undefined };

before(async () => {
  db = await freshDatabase('fires');
  await db.pool.query(`INSERT INTO menu_dishes (merchant_id, dish_id, prep_seconds) VALUES ('FM', 'LONG', 6), ('FM', 'SHORT', 3)`);
  await db.pool.query(`INSERT INTO merchant_settings (merchant_id, time_zone, fire_by_prep_time) VALUES ('FM', NULL, 1)`);
});

after(async () => {
  await db?.drop();
});

/** An order arriving unheld with a 6 s and a 3 s dish: the short one is scheduled 3 s after placedAt. */
async function order(orderId: string, placedAt: Date): Promise<void> {
  await applyAnswer(db.pool, notifier, parseOrderDetails({
    orderId, merchantId: 'FM', tableNo: 'T', status: 'PLACED', version: 1,
    placedAt: placedAt.toISOString(), updatedAt: placedAt.toISOString(),
    items: [
      { itemId: `${orderId}L`, dishId: 'LONG', name: '红烧肉', quantity: 1, station: 'wok', note: null, status: 'ACTIVE' },
      { itemId: `${orderId}S`, dishId: 'SHORT', name: '拍黄瓜', quantity: 1, station: 'cold', note: null, status: 'ACTIVE' },
    ],
  }, orderId));
}

interface Fired { item_id: string; held: number; fired_at: Date | null; due_at: Date | null }
async function dish(itemId: string): Promise<Fired> {
  const [rows] = await db.pool.query<RowDataPacket[]>('SELECT item_id, held, fired_at, due_at FROM dishes WHERE item_id = ?', [itemId]);
  return rows[0] as Fired;
}
const logged = (itemId: string): Promise<number> =>
  count(db.pool, "SELECT COUNT(*) AS n FROM change_log WHERE item_id = ? AND payload LIKE '%\"held\":false%'", [itemId]);
const metric = async (i: FiringInstance, overdue: string): Promise<number> =>
  (await i.registry.getSingleMetric('kds_scheduled_fires_total')?.get())?.values.find((v) => v.labels.overdue === overdue)?.value ?? 0;

describe('scheduled fires', () => {
  it('a fire due while the only instance was down happens when it is back, with firedAt = its due time; counted overdue', async () => {
    const work = createUnitOfWork({ pool: db.pool, notifier });
    const first = startFiring(db.pool, work);
    const placed = new Date();
    await order('R1', placed);
    const due = placed.getTime() + 3000;
    assert.equal((await dish('R1S')).held, 1, 'scheduled, held meanwhile');
    await first.stop(); // the only instance goes down before the fire is due
    await waitUntil(() => Date.now() > due + 6000, 'the fire to be overdue', 15_000);
    assert.equal((await dish('R1S')).held, 1, 'nobody fired it while down');
    assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM scheduled_fires', []), 1);

    const second = startFiring(db.pool, work);
    try {
      assert.ok((await second.clusterRegistry.getSingleMetric('kds_scheduled_fires_overdue')?.get())?.values[0]?.value === 1, 'the overdue gauge sees it');
      await waitUntil(async () => (await dish('R1S')).held === 0, 'the fire after the restart', 10_000);
      const d = await dish('R1S');
      assert.equal(d.fired_at?.getTime(), due, 'firedAt is the moment it was due');
      assert.equal(d.due_at?.getTime(), due + 3000, 'dueAt follows from it');
      assert.equal((await dish('R1L')).due_at?.getTime(), due + 3000, 'both finish together');
      assert.equal(await count(db.pool, 'SELECT COUNT(*) AS n FROM scheduled_fires', []), 0, 'the row went with the fire');
      assert.equal(await logged('R1S'), 1, 'one change');
      assert.equal(await metric(second, 'true'), 1, 'counted overdue');
    } finally {
      await second.stop();
    }
  });

  it('two instances polling at once: every scheduled fire happens exactly once, on time', async () => {
    const work = createUnitOfWork({ pool: db.pool, notifier });
    const placed = new Date();
    const ids = Array.from({ length: 40 }, (_, i) => `P${i}`);
    for (const id of ids) await order(id, placed);
    const a = startFiring(db.pool, work);
    const b = startFiring(db.pool, work);
    try {
      await waitUntil(async () => (await count(db.pool, 'SELECT COUNT(*) AS n FROM scheduled_fires', [])) === 0, 'every fire', 20_000);
      for (const id of ids) {
        assert.equal(await logged(`${id}S`), 1, `${id}S fired once`);
        assert.equal((await dish(`${id}S`)).fired_at?.getTime(), placed.getTime() + 3000);
      }
      const total = (await metric(a, 'true')) + (await metric(a, 'false')) + (await metric(b, 'true')) + (await metric(b, 'false'));
      assert.equal(total, ids.length, 'the instances together fired each once');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

// The apply step's menu cache (src/menu/cache.ts): a menu is read once per version, read again
// when the merchant's menu_version moves (a change through any instance), bounded in merchants;
// fire by prep time always comes from the settings given (read in the caller's transaction).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { createMenuCache, type MenuLoader } from '../../src/menu/cache';
import type { StoredSettings } from '../../src/merchant-settings/select-settings';

const db = {} as Connection; // the loader below never uses it

function fakeMenus(initial: Record<string, Record<string, number>>): { load: MenuLoader; loads: string[][]; set(m: string, menu: Record<string, number>): void } {
  const menus = new Map(Object.entries(initial));
  const loads: string[][] = [];
  return {
    loads,
    set: (m, menu) => menus.set(m, menu),
    load: (_db, ids) => {
      loads.push([...ids]);
      return Promise.resolve(new Map(ids.filter((m) => menus.has(m)).map((m) => [m, new Map(Object.entries(menus.get(m) ?? {}))])));
    },
  };
}

const settings = (entries: Record<string, Partial<StoredSettings>>): Map<string, StoredSettings> =>
  new Map(Object.entries(entries).map(([m, s]) => [m, { timeZone: null, fireByPrepTime: false, menuVersion: 0, ...s }]));

test('a menu is read once per version; a new version reads it again', async () => {
  const f = fakeMenus({ A: { D1: 60 }, B: { D2: 30 } });
  const cache = createMenuCache({ load: f.load });
  let t = await cache.targets(db, settings({ A: { menuVersion: 1 } }), ['A', 'B', 'A']);
  assert.deepEqual(f.loads, [['A', 'B']]);
  assert.equal(t('A').prepSeconds('D1'), 60);
  assert.equal(t('B').prepSeconds('D2'), 30); // no settings row: cached under its own key
  assert.equal(t('A').prepSeconds('nope'), null);
  assert.equal(t('A').prepSeconds(null), null);

  t = await cache.targets(db, settings({ A: { menuVersion: 1 } }), ['A', 'B']);
  assert.equal(f.loads.length, 1, 'unchanged versions read nothing');

  f.set('A', { D1: 90 });
  t = await cache.targets(db, settings({ A: { menuVersion: 2 } }), ['A', 'B']);
  assert.deepEqual(f.loads[1], ['A'], 'only the merchant whose version moved');
  assert.equal(t('A').prepSeconds('D1'), 90);

  // B's first change through the API creates its settings row at version 1
  f.set('B', { D2: 45 });
  t = await cache.targets(db, settings({ A: { menuVersion: 2 }, B: { menuVersion: 1 } }), ['B']);
  assert.deepEqual(f.loads[2], ['B']);
  assert.equal(t('B').prepSeconds('D2'), 45);
});

test('fire by prep time is the settings given, never cached', async () => {
  const cache = createMenuCache({ load: fakeMenus({}).load });
  assert.equal((await cache.targets(db, settings({ A: { fireByPrepTime: true } }), ['A']))('A').byPrepTime, true);
  assert.equal((await cache.targets(db, settings({ A: { fireByPrepTime: false } }), ['A']))('A').byPrepTime, false);
  assert.equal((await cache.targets(db, settings({}), []))('Z').byPrepTime, false);
});

test('at most maxMerchants menus are held; the oldest loaded goes first', async () => {
  const f = fakeMenus({ A: { D: 1 }, B: { D: 2 }, C: { D: 3 } });
  const cache = createMenuCache({ load: f.load, maxMerchants: 2 });
  await cache.targets(db, settings({}), ['A']);
  await cache.targets(db, settings({}), ['B']);
  await cache.targets(db, settings({}), ['C']); // drops A
  await cache.targets(db, settings({}), ['B', 'C']);
  assert.equal(f.loads.length, 3, 'B and C still held');
  const t = await cache.targets(db, settings({}), ['A']);
  assert.deepEqual(f.loads[3], ['A']);
  assert.equal(t('A').prepSeconds('D'), 1);
});

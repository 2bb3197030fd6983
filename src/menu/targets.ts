// The prep targets and fireByPrepTime of the merchants a writer fires dishes of, read in its
// transaction: two indexed reads, skipped when no dish names a dishId (nothing then has a target).
import type { Connection } from 'mysql2/promise';
import type { PrepTargets } from '../firing/fire-plan';
import { selectFireByPrepTime, selectPrepTargets } from './sql';

export async function readPrepTargets(
  db: Connection,
  dishes: ReadonlyArray<{ merchantId: string; dishId: string | null }>,
): Promise<(merchantId: string) => PrepTargets> {
  const pairs = new Map<string, readonly [string, string]>();
  for (const d of dishes) if (d.dishId !== null) pairs.set(`${d.merchantId}\u0000${d.dishId}`, [d.merchantId, d.dishId]);
  const prep = await selectPrepTargets(db, [...pairs.values()]);
  const merchants = [...new Set([...prep.keys()].map((k) => k.split('\u0000')[0] as string))];
  const byPrep = await selectFireByPrepTime(db, merchants);
  return (merchantId) => ({
    prepSeconds: (dishId) => (dishId === null ? null : prep.get(`${merchantId}\u0000${dishId}`) ?? null),
    byPrepTime: byPrep.has(merchantId),
  });
}

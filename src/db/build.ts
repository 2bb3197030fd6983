// The database feature's builder: applies pending migrations, opens the pool and warms it, and
// registers its teardown (registered first, so it closes last: every other feature uses it).
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { migrate } from './migrate';
import { createPool, POOL_SIZE, warmPool, type Pool } from './pool';

export async function openDatabase(url: string, log: Logger, teardown: Teardown): Promise<Pool> {
  const applied = await migrate(url, log);
  if (applied.length > 0) log.info('migrations applied', { applied });
  const pool = createPool(url, POOL_SIZE);
  teardown.add('mysql pool', () => pool.end());
  await warmPool(pool, POOL_SIZE);
  return pool;
}

// One fixture per feature, each calling the feature's production builder with the test's
// overrides, so tests run the path users run (no test wires a feature's internals itself):
//   testConfig  the configuration as loadConfig makes it from the test environment (testEnv)
//   testWork    the unit of work as src/service.ts makes it: with the stats recorder (buildStats)
//   testRetry   the retry job and its operator routes (buildRetry)
import { Registry } from 'prom-client';
import type { ChangeNotifier } from '../../src/changes/append';
import { createUnitOfWork, type UnitOfWork } from '../../src/changes/unit-of-work';
import { loadConfig, type Config } from '../../src/config';
import type { Pool } from '../../src/db/pool';
import { silentLogger, type Logger } from '../../src/log';
import type { MerchantZones } from '../../src/merchant-settings/zones';
import type { OrderSource } from '../../src/order-service/client';
import { buildRetry, type Retry, type RetryOptions } from '../../src/retry/build';
import { buildStats } from '../../src/stats/build';
import { testEnv } from './service';

/** The service's configuration for tests; `env` as a user would set it. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(testEnv({ dbUrl: 'mysql://root@127.0.0.1:3306/kds', topic: 'test_order', orderServiceUrl: 'http://127.0.0.1:9', env }));
}

export const quietNotifier: ChangeNotifier = { changed: () => undefined };

export interface TestWork {
  work: UnitOfWork;
  /** The merchants' zones the same stats feature keeps (for processors and workers built beside it). */
  zones: MerchantZones;
}

/** The unit of work as the service builds it: commit, then tell `notifier`; stats recorded in the same transaction. */
export function testWork(pool: Pool, notifier: ChangeNotifier = quietNotifier, config: Config = testConfig()): TestWork {
  const stats = buildStats({ config, pool, registry: new Registry() });
  return { work: createUnitOfWork({ pool, notifier, recorders: [stats.recorder] }), zones: stats.zones };
}

export interface TestRetryOptions {
  pool: Pool;
  orders: OrderSource;
  /** RETRY_BACKOFF_BASE_MS and RETRY_MAX_ATTEMPTS as a user sets them. */
  backoffBaseMs: number;
  maxAttempts: number;
  batchSize?: number;
  onAttempt?: RetryOptions['onAttempt'];
  notifier?: ChangeNotifier;
  log?: Logger;
}

/** The retry feature as the service builds it (buildRetry), over a unit of work made by testWork. */
export function testRetry(o: TestRetryOptions): Retry {
  const config = testConfig({ RETRY_BACKOFF_BASE_MS: String(o.backoffBaseMs), RETRY_MAX_ATTEMPTS: String(o.maxAttempts) });
  const { work, zones } = testWork(o.pool, o.notifier, config);
  return buildRetry({
    config: config.retry, pool: o.pool, orders: o.orders, work, log: o.log ?? silentLogger,
    batchSize: () => o.batchSize ?? 50, onAttempt: o.onAttempt, zones,
  });
}

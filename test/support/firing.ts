// The kitchen workflows' production builder (src/firing/build.ts) for tests: its routes on a test
// server, and its scheduled-fires poller as one "instance" that can be stopped and started again.
import { Registry } from 'prom-client';
import type { UnitOfWork } from '../../src/changes/unit-of-work';
import type { Pool } from '../../src/db/pool';
import { buildFiring, type Firing } from '../../src/firing/build';
import { createMerchantSettingsRouter } from '../../src/merchant-settings/routes';
import { createMerchantZones } from '../../src/merchant-settings/zones';
import { createTeardown } from '../../src/lifecycle/teardown';
import { silentLogger } from '../../src/log';

export interface FiringInstance {
  firing: Firing;
  registry: Registry;
  clusterRegistry: Registry;
  stop(): Promise<void>;
}

/** One instance's kitchen workflows: routes and a poller ticking every second until stopped. */
export function startFiring(pool: Pool, work: UnitOfWork, cron?: string): FiringInstance {
  const teardown = createTeardown(silentLogger);
  const registry = new Registry();
  const clusterRegistry = new Registry();
  const firing = buildFiring({ pool, work, boardDays: 3, log: silentLogger, teardown, registry, clusterRegistry, ...(cron !== undefined ? { cron } : {}) });
  return { firing, registry, clusterRegistry, stop: () => teardown.close() };
}

/** The routers of a server with the kitchen workflows and the merchant settings. */
export function workflowRouters(pool: Pool, instance: FiringInstance) {
  return [...instance.firing.routes, createMerchantSettingsRouter({ pool, zones: createMerchantZones('UTC') })];
}

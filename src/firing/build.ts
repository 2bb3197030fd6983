// The kitchen workflows' builder (contract "Kitchen workflows", docs/screens.md): hold and fire, the
// pass (expo, serving a ticket or course, batches), the menu of prep targets, and the scheduled
// fires of fire by prep time with their poller (node-cron wakes it every second on every instance;
// SKIP LOCKED claims split the work: src/firing/scheduled.ts) and metrics.
import type { Router } from 'express';
import cron from 'node-cron';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/auth';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { createMenuRouter } from '../menu/routes';
import { createPassRouter } from '../pass/routes';
import { createFiringRouter } from './routes';
import { createScheduledFires, OVERDUE_AFTER_S, type ScheduledFires } from './scheduled';
import { countOverdueFires } from './sql';

export interface FiringDeps {
  pool: Pool;
  work: UnitOfWork;
  boardDays: number;
  log: Logger;
  teardown: Teardown;
  /** this instance's series */
  registry: Registry;
  /** cluster-wide gauges read from MySQL (exported by one instance) */
  clusterRegistry: Registry;
  /** node-cron schedule of the poller (default every second) */
  cron?: string;
}

export interface Firing {
  readonly routes: Array<(auth: AuthMiddleware) => Router>;
  readonly scheduled: ScheduledFires;
}

export function buildFiring(d: FiringDeps): Firing {
  const fires = new Counter({
    name: 'kds_scheduled_fires_total',
    help: `Scheduled fires (fire by prep time) carried out by this instance; overdue="true" when more than ${OVERDUE_AFTER_S} s after due (e.g. due while every instance was down)`,
    labelNames: ['overdue'],
    registers: [d.registry],
  });
  const pool = d.pool;
  new Gauge({
    name: 'kds_scheduled_fires_overdue',
    help: `Scheduled fires due more than ${OVERDUE_AFTER_S} s ago and not carried out yet; cluster-wide, from MySQL`,
    registers: [d.clusterRegistry],
    async collect() {
      try {
        this.set(await countOverdueFires(pool, OVERDUE_AFTER_S));
      } catch {
        // kds_db_stats_up reports a failing database; keep the last value
      }
    },
  });
  const scheduled = createScheduledFires({ work: d.work, onFired: (overdue) => fires.inc({ overdue: String(overdue) }) });
  const task = cron.schedule(
    d.cron ?? '* * * * * *',
    () => {
      scheduled.runOnce().catch((err: unknown) => d.log.error('scheduled fires failed', { err }));
    },
    { name: 'scheduled-fires', noOverlap: true },
  );
  d.teardown.add('scheduled fires', () => task.stop());
  return {
    scheduled,
    routes: [
      createFiringRouter({ work: d.work }),
      createPassRouter({ pool: d.pool, work: d.work, boardDays: d.boardDays }),
      createMenuRouter({ pool: d.pool }),
    ],
  };
}

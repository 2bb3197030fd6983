// The kitchen feature's builder: the routes of a service's actions (recall, bump, rush, all-day,
// pickup board), every write committed through the unit of work it is given.
import type { Router } from 'express';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/auth';
import { createKitchenRouter } from './routes';

export interface Kitchen {
  readonly routes: (auth: AuthMiddleware) => Router;
}

export function buildKitchen(o: { config: Pick<Config, 'archive' | 'kitchen'>; pool: Pool; work: UnitOfWork }): Kitchen {
  return {
    routes: createKitchenRouter({
      pool: o.pool, work: o.work, boardDays: o.config.archive.boardDays, recallWindowS: o.config.kitchen.recallWindowS,
    }),
  };
}

// The stats feature's builder (docs/dashboard.md): merchants' time zones (ticket numbers and local
// days, used by the pipeline and the retry job), the recorder the unit of work runs in every change's
// transaction, the settings and stats routes, and the late-tickets gauge.
import type { Registry } from 'prom-client';
import type { ChangeRecorder } from '../changes/unit-of-work';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/app';
import { createMerchantSettingsRouter } from '../merchant-settings/routes';
import { createMerchantZones, type MerchantZones } from '../merchant-settings/zones';
import { registerLateMerchantsGauge, sqlLateMerchants } from './late-gauge';
import { createStatsRecorder } from './recorder';
import { createStatsRouter } from './routes';
import type { Router } from 'express';

export interface Stats {
  readonly zones: MerchantZones;
  readonly recorder: ChangeRecorder;
  readonly routes: Array<(auth: AuthMiddleware) => Router>;
}

export function buildStats(o: { config: Config; pool: Pool; registry: Registry }): Stats {
  const { lateAfterS, defaultTimeZone } = o.config.stats;
  const boardDays = o.config.archive.boardDays;
  const zones = createMerchantZones(defaultTimeZone);
  registerLateMerchantsGauge(o.registry, sqlLateMerchants(o.pool, lateAfterS, boardDays));
  return {
    zones,
    recorder: createStatsRecorder({ lateAfterS }),
    routes: [
      createMerchantSettingsRouter({ pool: o.pool, zones }),
      createStatsRouter({ pool: o.pool, zones, lateAfterS, boardDays }),
    ],
  };
}

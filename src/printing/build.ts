// The kitchen printers' builder (厨打, docs/screens.md): the print loop, the printer routes and the
// print-queue gauges. Which kitchen screens are open across instances is presence's to know
// (src/presence/screens.ts); the loop asks it through its StationScreens port.
import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/auth';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { createMerchantZones } from '../merchant-settings/zones';
import type { StationScreens } from './fallback';
import { registerPrintQueueGauges } from './gauge';
import type { PrinterRow } from './printers-sql';
import { selectQueueStats } from './queue-sql';
import { createPrintingRouter } from './routes';
import type { Slip } from './slip';
import { createPrintWorker, type PrintWorker } from './worker';

export interface Printing {
  readonly worker: PrintWorker;
  readonly routes: (auth: AuthMiddleware) => Router;
}

export interface PrintingOptions {
  config: Pick<Config, 'printing' | 'stats' | 'archive'>;
  pool: Pool;
  log: Logger;
  teardown: Teardown;
  /** kitchen screens across instances (src/presence/screens.ts stationScreens) */
  screens: StationScreens;
  /** where the print-queue gauges go (the cluster registry: one instance exports them) */
  registry?: Registry;
  /** default: a random id per process (the printers' lease owner) */
  instanceId?: string;
  onPrinted?: (printer: PrinterRow, slip: Slip) => void;
}

export function buildPrinting(o: PrintingOptions): Printing {
  const { fallbackAfterS, retryMaxS, timeoutMs } = o.config.printing;
  const log = o.log.child({ component: 'printing' });
  const worker = createPrintWorker({
    pool: o.pool, zones: createMerchantZones(o.config.stats.defaultTimeZone), log, instanceId: o.instanceId ?? randomUUID(),
    fallbackAfterS, screens: o.screens, retryMaxS, timeoutMs, boardDays: o.config.archive.boardDays,
    // a fallback starts at most a round after PRINT_FALLBACK_AFTER_S; a second is a cook's glance
    tickMs: Math.min(1000, Math.max(200, Math.floor((fallbackAfterS * 1000) / 3))),
    ...(o.onPrinted ? { onPrinted: o.onPrinted } : {}),
  });
  if (o.registry) registerPrintQueueGauges(o.registry, { read: () => selectQueueStats(o.pool) });
  o.teardown.add('kitchen printers', () => worker.close());
  return { worker, routes: createPrintingRouter({ pool: o.pool }) };
}

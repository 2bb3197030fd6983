// One instance's print loop: follow the fallback state of every printer (asking presence which
// stations have a kitchen screen), queue the dishes that must be printed, and print the slips of
// the printers this instance claims. Every step is safe
// on any number of instances at once: the fallback updates are idempotent, the queue's unique key
// takes a dish once per firing, and a printer is claimed by one instance at a time (a lease taken
// with SKIP LOCKED), which prints its slips in order over one connection each.
import { inTx, type Pool } from '../db/pool';
import type { Logger } from '../log';
import { selectLanguage } from '../merchant-settings/language';
import type { MerchantZones } from '../merchant-settings/zones';
import { printRetryDelayMs } from './backoff';
import { fallbackMoves, type StationScreens } from './fallback';
import { slipBytes } from './escpos';
import type { PrinterRow } from './printers-sql';
import {
  claimPrinters, enterFallback, insertJobs, leaveFallback, markFailed, markPrinted, markSkipped, markStarted,
  releasePrinter, selectDueDishes, selectDueJobs, selectFallbackStates, type JobRow,
} from './queue-sql';
import { sendToPrinter } from './send';
import { charColumns, gbColumns, layoutSlip, type Slip } from './slip';

export interface PrintWorkerOptions {
  pool: Pool;
  zones: MerchantZones;
  log: Logger;
  instanceId: string;
  /** PRINT_FALLBACK_AFTER_S */
  fallbackAfterS: number;
  /** which kitchen screens are open on any instance (src/presence/) */
  screens: StationScreens;
  retryMaxS: number;
  timeoutMs: number;
  boardDays: number;
  /** how often the loop runs */
  tickMs: number;
  /** every slip written and closed cleanly (demo, tests) */
  onPrinted?: (printer: PrinterRow, slip: Slip) => void;
}

export interface PrintWorker {
  /** One round now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
  close(): Promise<void>;
}

/** Slips of one printer's due jobs: one per order and kind (backup, reprint), oldest first. */
function groupSlips(jobs: readonly JobRow[]): JobRow[][] {
  const groups = new Map<string, JobRow[]>();
  for (const j of jobs) {
    const k = `${j.orderId}\u0000${j.backup}\u0000${j.asked || j.attempts > 0}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [j]);
    else g.push(j);
  }
  return [...groups.values()];
}

export function createPrintWorker(o: PrintWorkerOptions): PrintWorker {
  const startedAt = Date.now();
  const leaseMs = Math.max(30_000, o.timeoutMs * 4);
  let running: Promise<void> | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const printOne = async (p: PrinterRow): Promise<void> => {
    try {
      const jobs = await selectDueJobs(o.pool, p.merchantId, p.station, 200);
      const gone = jobs.filter((j) => j.dish === null || j.order === null || (!j.asked && j.dish.state !== 'WAITING'));
      if (gone.length > 0) await markSkipped(o.pool, gone.map((j) => j.id), 'dish no longer waiting');
      const goneIds = new Set(gone.map((j) => j.id));
      const zone = (await o.zones.zonesOf(o.pool, [p.merchantId])).get(p.merchantId) ?? o.zones.defaultZone;
      // the merchant's page language; without one Chinese, as the cooks read it (contract "Screens in every kitchen")
      const language = (await selectLanguage(o.pool, p.merchantId)) ?? 'zh-CN';
      for (const group of groupSlips(jobs.filter((j) => !goneIds.has(j.id)))) {
        if (closed) return;
        const first = group[0] as JobRow;
        const slip: Slip = {
          merchantId: p.merchantId, station: p.station, orderId: first.orderId,
          ticketNo: first.order?.ticketNo ?? null, tableNo: first.order?.tableNo ?? null,
          channel: first.order?.channel ?? null, platform: first.order?.platform ?? null, pickupAt: first.order?.pickupAt ?? null,
          at: new Date(), timeZone: zone, language, backup: first.backup, reprint: first.asked || first.attempts > 0,
          dishes: group.map((j) => ({ name: j.dish?.name ?? '', quantity: j.dish?.quantity ?? 0, note: j.dish?.note ?? null })),
        };
        const ids = group.map((j) => j.id);
        await markStarted(o.pool, ids);
        try {
          const widths = p.encoding === 'GB18030' ? gbColumns : charColumns;
          await sendToPrinter(p.host, p.port, slipBytes(layoutSlip(slip, p.width, widths), p.encoding), o.timeoutMs);
        } catch (err) {
          const attempts = Math.max(...group.map((j) => j.attempts)) + 1;
          await markFailed(o.pool, ids, printRetryDelayMs(attempts, o.retryMaxS), err instanceof Error ? err.message : String(err));
          o.log.warn('printer failed; slips stay queued', { merchantId: p.merchantId, station: p.station, attempts, err });
          return; // the printer is off or unreachable: its other slips wait for the same retry
        }
        await markPrinted(o.pool, ids);
        o.onPrinted?.(p, slip);
      }
    } finally {
      await releasePrinter(o.pool, o.instanceId, p.merchantId, p.station);
    }
  };

  const round = async (): Promise<void> => {
    const states = await selectFallbackStates(o.pool);
    if (states.length > 0) {
      const moves = fallbackMoves(states, await o.screens.of(states), o.fallbackAfterS * 1000);
      const left = await leaveFallback(o.pool, moves.leave);
      if (left > 0) o.log.info('printer fallback ended', { printers: left });
      // right after a start, screens are still reconnecting: give them the same time before a fallback
      if (Date.now() - startedAt >= o.fallbackAfterS * 1000) {
        const entered = await enterFallback(o.pool, moves.enter, o.fallbackAfterS * 1_000_000);
        if (entered > 0) o.log.info('printer fallback started', { printers: entered });
      }
    }
    const due = await selectDueDishes(o.pool, o.boardDays);
    if (due.length > 0) await insertJobs(o.pool, due.map((d) => ({ ...d, asked: false })));
    for (;;) {
      if (closed) return;
      const printers = await inTx(o.pool, (conn) => claimPrinters(conn, o.instanceId, leaseMs, 4));
      if (printers.length === 0) return;
      await Promise.all(printers.map((p) => printOne(p).catch((err: unknown) => o.log.warn('print round failed', { err }))));
    }
  };

  const runOnce = (): Promise<void> => {
    running ??= round()
      .catch((err: unknown) => o.log.warn('print loop failed; next round retries', { err }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, o.tickMs);
    timer.unref();
  };
  schedule();

  return {
    runOnce,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

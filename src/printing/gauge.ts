// kds_print_queue: slips (dishes) waiting for a printer in the whole environment, and how long the
// oldest has waited. Read from MySQL on scrape (cached), exported by the instance that reports the
// database gauges, so sum() or max() over instances is the truth (docs/operations.md).
import { Gauge, type Registry } from 'prom-client';
import { cachedCheck } from '../readiness/cached-check';
import type { QueueStats } from './queue-sql';

export interface PrintQueueSource {
  read(): Promise<QueueStats>;
}

export function registerPrintQueueGauges(registry: Registry, source: PrintQueueSource, cacheMs = 5000): void {
  // one read per cacheMs however many scrapes; a failed read is not kept
  const read = cachedCheck(() => source.read(), { maxAgeMs: cacheMs });
  new Gauge({
    name: 'kds_print_queue',
    help: 'Kitchen-printer slips (one per dish) queued and not printed yet, whole environment, from MySQL',
    registers: [registry],
    async collect() {
      try {
        this.set((await read()).queued);
      } catch {
        // kds_db_stats_up reports a failing database; keep the last value
      }
    },
  });
  new Gauge({
    name: 'kds_print_queue_oldest_seconds',
    help: 'How long the oldest queued kitchen-printer slip has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      try {
        this.set((await read()).oldestSeconds);
      } catch {
        // as above
      }
    },
  });
}

// Prometheus metrics of the service on a registry made here (the composition root makes one per
// service, never prom-client's global): event outcomes and latencies are recorded as they happen
// (observers handed to the consumer and the order-service client); gauges are read on scrape
// from whatever the root hands to track().
//
// Several instances are scraped and summed (dashboard, alert rules), so every series is either
// this instance's own (counters, histograms, the gate, the scheduler) or a share of a
// cluster-wide figure that no other instance exports: lag by partition owner (gauges.ts), the
// database gauges by one elected instance (a second registry, exported only while it leads).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallObserver } from '../order-service/client';
import type { ConsumerObserver, OffsetResetReason, RecordOutcome } from '../pipeline/consumer';
import type { GroupObserver } from '../pipeline/process-event';
import { registerDbGauges, type DbGaugeSource } from './db-gauges';
import { registerLiveGauges, type LiveSources } from './gauges';

export interface Metrics {
  /** This instance's series (the database gauges are in clusterRegistry). */
  readonly registry: Registry;
  /** The cluster-wide database gauges, in metricsText() only while the reporter leads. */
  readonly clusterRegistry: Registry;
  /** For createOrderConsumer({ observer }). */
  readonly consumer: ConsumerObserver;
  /** For createOrderServiceClient({ observer }). */
  readonly orderService: CallObserver;
  /** For createEventProcessor({ groups }): each deciding transaction of the consumer. */
  readonly writeGroups: GroupObserver;
  /** For the push hub: seconds from a change's commit (applied) to its frame being sent. */
  observePushLatency(seconds: number): void;
  /** For the push hub's onSnapshotRead: one board read, however many screens it served. */
  snapshotRead(): void;
  /** For createLimiters' onRefused: a 429 of that limit (apiPerToken, wsPerAddress, …). */
  rateLimited(limit: string): void;
  /** For the retry worker's onAttempt: done, retry, failed, skipped, deferred. */
  retryAttempt(outcome: string): void;
  /** Gauges read on scrape; call again to add sources as they are built. */
  track(sources: Partial<LiveSources>): void;
  /**
   * Retry-table and blocked-order gauges, queried on scrape at most every cacheMs, and exported
   * only while reporter.isLeader(): on every other instance those series are absent (not 0).
   */
  trackDatabase(source: DbGaugeSource, opts: { reporter: Reporter; cacheMs?: number }): void;
  /** For GET /metrics. */
  metricsText(): Promise<string>;
  readonly contentType: string;
}

/**
 * Declared by its user: whether this instance is the one that reports the cluster-wide database
 * gauges (a leader latch; `{ isLeader: () => true }` for a single instance).
 */
export interface Reporter {
  isLeader(): boolean;
}

const OUTCOMES: readonly RecordOutcome[] = ['applied', 'duplicate', 'parked', 'dead_lettered'];
const RESET_REASONS: readonly OffsetResetReason[] = ['no_commit', 'out_of_range'];

export interface MetricsOptions {
  /** Node process metrics (RSS, CPU, event-loop lag, GC); default true. */
  processMetrics?: boolean;
  now?: () => number;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const now = opts.now ?? Date.now;
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const events = new Counter({
    name: 'kds_events_total',
    help: 'Kafka records finished, by outcome (applied, duplicate, parked in the retry table, dead_lettered)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const o of OUTCOMES) events.inc({ outcome: o }, 0);
  const infraErrors = new Counter({
    name: 'kds_consumer_infra_errors_total',
    help: 'Record attempts that failed on infrastructure (database) and are retried in place',
    registers: [registry],
  });
  const offsetResets = new Counter({
    name: 'kds_consumer_offset_resets_total',
    help: 'Partitions whose position was set by rule, by reason: no_commit (no committed offset: started at the group\'s first start), out_of_range (committed offset gone from the log: resumed at the earliest record still there)',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const r of RESET_REASONS) offsetResets.inc({ reason: r }, 0);
  // occurredAt is the order system's clock: seconds to hours (a backlog), so wide buckets.
  const applyLatency = new Histogram({
    name: 'kds_event_apply_latency_seconds',
    help: 'From the event\'s occurredAt to its change being committed (outcome applied)',
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const pushLatency = new Histogram({
    name: 'kds_push_latency_seconds',
    help: 'From a change being committed to its WebSocket frame being sent',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'kds_order_service_calls_total',
    help: 'Order-service calls by outcome: ok, or the error code (not_found, throttled, server_error, timeout, connection, contract)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  calls.inc({ outcome: 'ok' }, 0);
  const callSeconds = new Histogram({
    name: 'kds_order_service_call_seconds',
    help: 'Order-service call duration (after the gate let it through), by ok/error',
    labelNames: ['result'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const groupEvents = new Histogram({
    name: 'kds_write_group_events',
    help: 'Events decided per consumer transaction (group commit): 1 at rest, up to 200 under a backlog',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [registry],
  });
  const groupSeconds = new Histogram({
    name: 'kds_write_group_seconds',
    help: 'Duration of a consumer transaction deciding a group of events, commit included',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const groupFailures = new Counter({
    name: 'kds_write_group_failures_total',
    help: 'Consumer transactions of a group that failed: handled="split" (decided again one event at a time: data the database refuses, a bug) or "whole" (database unreachable: the records are retried in place)',
    labelNames: ['handled'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'kds_retry_attempts_total',
    help: 'Retry-job attempts by outcome (done, retry, failed, skipped, deferred)',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const consumer: ConsumerObserver = {
    record(outcome, info) {
      events.inc({ outcome });
      if (outcome === 'applied' && info.occurredAt !== undefined) {
        const at = Date.parse(info.occurredAt);
        if (Number.isFinite(at)) applyLatency.observe(Math.max(0, (now() - at) / 1000));
      }
    },
    infraError: () => infraErrors.inc(),
    offsetReset: (reason) => offsetResets.inc({ reason }),
  };
  const orderService: CallObserver = {
    observe(outcome, seconds) {
      calls.inc({ outcome });
      callSeconds.observe({ result: outcome === 'ok' ? 'ok' : 'error' }, seconds);
    },
  };

  const writeGroups: GroupObserver = {
    group(events, seconds) {
      groupEvents.observe(events);
      groupSeconds.observe(seconds);
    },
    failed(_events, handled) {
      groupFailures.inc({ handled });
    },
  };

  const snapshotReads = new Counter({
    name: 'kds_ws_snapshot_reads_total',
    help: 'Snapshot reads for screens (one read serves every screen of the view waiting for it)',
    registers: [registry],
  });

  const rateLimited = new Counter({
    name: 'kds_rate_limited_total',
    help: 'Requests and WebSocket connects refused with 429, by limit (apiPerToken, apiPerAddress, wsPerToken, wsPerAddress)',
    labelNames: ['limit'],
    registers: [registry],
  });

  const live = registerLiveGauges(registry);
  // Series of the whole cluster, scraped from the elected instance only; on the others this
  // registry is not even collected, so its queries do not run either.
  const cluster = new Registry();
  let reporter: Reporter | undefined;
  const leading = (): boolean => reporter?.isLeader() === true;
  const trackDatabase = (source: DbGaugeSource, o: { reporter: Reporter; cacheMs?: number }): void => {
    if (reporter !== undefined) throw new Error('trackDatabase called twice');
    reporter = o.reporter;
    registerDbGauges(cluster, source, o.cacheMs);
    new Gauge({
      name: 'kds_db_gauges_reporter',
      help: '1 on the instance that exports the database gauges (kds_retry_entries, kds_blocked_*, kds_db_stats_up), 0 on the others: sum() over instances is 1',
      registers: [registry],
      collect() {
        this.set(leading() ? 1 : 0);
      },
    });
  };
  const metricsText = async (): Promise<string> => {
    const own = await registry.metrics();
    return leading() ? `${own}\n${await cluster.metrics()}` : own;
  };
  return {
    registry,
    clusterRegistry: cluster,
    consumer,
    orderService,
    writeGroups,
    observePushLatency: (s) => pushLatency.observe(Math.max(0, s)),
    retryAttempt: (outcome) => retries.inc({ outcome }),
    snapshotRead: () => snapshotReads.inc(),
    rateLimited: (limit) => rateLimited.inc({ limit }),
    track: (sources) => live.track(sources),
    trackDatabase,
    metricsText,
    contentType: registry.contentType,
  };
}

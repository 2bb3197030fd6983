// Gauges read from in-memory state at scrape time (no work per event): the scheduler, the
// order-service gate, WebSocket clients, live settings and the lag monitor's last poll. All of
// them describe this instance, except kds_consumer_lag: a cluster-wide figure, exported by each
// partition's owner only, so that sum() over instances is the environment's lag (docs/throughput.md).
import { Counter, Gauge, type Registry } from 'prom-client';
import { SETTING_DEFS, SETTING_NAMES, type SettingName, type Settings } from '../settings/definitions';
import type { PartitionAssignment } from './assignment';
import { ownedLag, type LagSnapshot } from './lag';

/** What the gauges read; each is a narrow view of an object the composition root builds. */
export interface LiveSources {
  scheduler: { active(): number; pending(): number; limit(): number };
  gate: {
    inFlight(): number;
    queued(): number;
    throttled(): number;
    limits(): { maxConcurrent: number; maxPerSecond: number };
  };
  /** Connected WebSocket screens (the push hub's clientCount). */
  clientCount: () => number;
  settings: {
    current(): Readonly<Settings>;
    isConnected(): boolean;
    refusals(): Readonly<Record<SettingName, number>>;
  };
  lag: { snapshot(): LagSnapshot };
  consumer: { stalledPartitions(): number[] };
  /** The partitions this instance owns in the group; without it no lag is exported. */
  assignment: Pick<PartitionAssignment, 'owned' | 'count'>;
}

export function registerLiveGauges(registry: Registry): { track(s: Partial<LiveSources>): void } {
  const src: Partial<LiveSources> = {};
  const gauge = (name: string, help: string, read: (g: Gauge) => void, labelNames: string[] = []): void => {
    new Gauge({
      name, help, labelNames, registers: [registry],
      collect() {
        read(this);
      },
    });
  };
  /** A counter fed from a monotonic total kept elsewhere. */
  const mirroredCounter = (name: string, help: string, total: () => number | undefined): void => {
    let seen = 0;
    new Counter({
      name, help, registers: [registry],
      collect() {
        const t = total();
        if (t !== undefined && t > seen) {
          this.inc(t - seen);
          seen = t;
        }
      },
    });
  };

  gauge('kds_work_active', 'Events being processed now (keyed scheduler)', (g) => src.scheduler && g.set(src.scheduler.active()));
  gauge('kds_work_pending', 'Events fetched and not finished (running or waiting for their order or the limit)', (g) => src.scheduler && g.set(src.scheduler.pending()));
  gauge('kds_work_limit', 'Scheduler limit (processing.concurrency)', (g) => src.scheduler && g.set(src.scheduler.limit()));

  gauge('kds_order_service_in_flight', 'Order-service calls in flight', (g) => src.gate && g.set(src.gate.inFlight()));
  gauge('kds_order_service_queued', 'Calls waiting at the gate for a concurrency or rate slot', (g) => src.gate && g.set(src.gate.queued()));
  gauge('kds_order_service_limit', 'Gate limits in force', (g) => {
    if (!src.gate) return;
    const l = src.gate.limits();
    g.set({ kind: 'concurrency' }, l.maxConcurrent);
    g.set({ kind: 'per_second' }, l.maxPerSecond);
  }, ['kind']);
  mirroredCounter('kds_order_service_throttled_total', 'Times a call had to wait for the rate cap', () => src.gate?.throttled());

  gauge('kds_websocket_clients', 'Connected WebSocket screens', (g) => src.clientCount && g.set(src.clientCount()));

  gauge('kds_zookeeper_connected', '1 while the ZooKeeper session for live settings is connected', (g) => src.settings && g.set(src.settings.isConnected() ? 1 : 0));
  gauge('kds_setting', 'Live setting values in force', (g) => {
    if (!src.settings) return;
    const s = src.settings.current();
    for (const n of SETTING_NAMES) g.set({ name: SETTING_DEFS[n].znode }, s[n]);
  }, ['name']);
  gauge('kds_settings_refused', 'Values refused per setting since start (bad znode content)', (g) => {
    if (!src.settings) return;
    const r = src.settings.refusals();
    for (const n of SETTING_NAMES) g.set({ name: SETTING_DEFS[n].znode }, r[n]);
  }, ['name']);

  gauge('kds_consumer_lag', 'Records behind per partition (high watermark minus committed offset), exported by the partition\'s owner only: sum() over instances is the total', (g) => {
    g.reset();
    if (!src.lag || !src.assignment) return;
    const a = src.assignment;
    for (const p of ownedLag(src.lag.snapshot().partitions, (topic) => a.owned(topic))) g.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
  }, ['topic', 'partition']);
  // Each partition is in one instance's hands: sum() over instances is the environment's figure.
  gauge('kds_consumer_stalled_partitions', 'Partitions with records in hand that have not advanced for 2 minutes', (g) => src.consumer && g.set(src.consumer.stalledPartitions().length));
  gauge('kds_consumer_partitions_assigned', 'Partitions this instance owns in the consumer group now (0 between a rebalance and the next join)', (g) => src.assignment && g.set(src.assignment.count()));
  gauge('kds_consumer_lag_age_seconds', 'Seconds since the lag was last read from Kafka', (g) => {
    const at = src.lag?.snapshot().at;
    if (at !== undefined) g.set((Date.now() - at) / 1000);
  });

  return { track: (s) => Object.assign(src, s) };
}

// Consumer lag per partition, from the broker's view: the group's committed offset against the
// high watermark, read with the admin client every few seconds (never per event). A partition
// with no committed offset yet counts from its low watermark.
import type { Logger } from '../log';

/** The two kafkajs Admin calls used (declared here; a kafkajs Admin satisfies it). */
export interface OffsetsAdmin {
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; offset: string; high: string; low: string }>>;
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  high: number;
  committed: number;
  lag: number;
}

export interface LagSnapshot {
  /** Date.now() of the last successful read; undefined before the first. */
  at?: number;
  partitions: readonly PartitionLag[];
}

export interface LagMonitor {
  snapshot(): LagSnapshot;
  /** Reads once now (also used by tests and the benchmark). */
  refresh(): Promise<LagSnapshot>;
  /** Stops reading; resolves once a read in flight has finished. */
  stop(): Promise<void>;
}

/** Pure: lag per partition from the two admin answers. */
export function computeLag(
  topic: string,
  offsets: Array<{ partition: number; high: string; low: string }>,
  committed: Array<{ partition: number; offset: string }>,
): PartitionLag[] {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return offsets
    .map((o) => {
      const high = Number(o.high);
      const c = byPartition.get(o.partition);
      const from = c === undefined || c < 0 ? Number(o.low) : c;
      return { topic, partition: o.partition, high, committed: from, lag: Math.max(0, high - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Pure: the partitions owned by this instance. The monitor reads every partition (one admin call
 * either way); only the owner exports a partition, so the sum over instances counts it once.
 */
export function ownedLag(partitions: readonly PartitionLag[], owned: (topic: string) => ReadonlySet<number>): PartitionLag[] {
  return partitions.filter((p) => owned(p.topic).has(p.partition));
}

export function startLagMonitor(deps: { admin: OffsetsAdmin; topic: string; groupId: string; log: Logger; intervalMs?: number }): LagMonitor {
  let snap: LagSnapshot = { partitions: [] };
  let failing = false;
  const refresh = async (): Promise<LagSnapshot> => {
    const [offsets, groups] = await Promise.all([
      deps.admin.fetchTopicOffsets(deps.topic),
      deps.admin.fetchOffsets({ groupId: deps.groupId, topics: [deps.topic] }),
    ]);
    const committed = groups.find((g) => g.topic === deps.topic)?.partitions ?? [];
    snap = { at: Date.now(), partitions: computeLag(deps.topic, offsets, committed) };
    return snap;
  };
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped || inFlight !== undefined) return;
    inFlight = refresh().then(
      () => {
        if (failing) deps.log.info('consumer lag readable again');
        failing = false;
      },
      (err: unknown) => {
        // kds_consumer_lag_age_seconds grows while this fails; say it once, not every 5 s
        if (!failing) deps.log.warn('consumer lag could not be read', { err });
        failing = true;
      },
    ).finally(() => {
      inFlight = undefined;
    });
  };
  const timer = setInterval(tick, deps.intervalMs ?? 5000);
  timer.unref();
  tick();
  return {
    snapshot: () => snap,
    refresh,
    // A read still running when the admin client disconnects would open a coordinator
    // connection after the disconnect and keep the process alive: wait for it.
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

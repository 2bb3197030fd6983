// The metrics feature's builders: one registry per service (never prom-client's global) with the
// database gauges, and the consumer-lag watcher, which needs its own Kafka admin connection and
// starts once the consumer has joined. Other features' gauges are handed to metrics.track().
import type { Consumer, Kafka } from 'kafkajs';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { createPartitionAssignment, followGroup, type PartitionAssignment } from './assignment';
import { sqlDbStats } from './db-gauges';
import { startLagMonitor, type LagMonitor } from './lag';
import { createMetrics, type Metrics, type Reporter } from './metrics';

/**
 * `reporter` elects the instance that exports the cluster-wide database gauges; without one every
 * instance reports them (right for one instance, N times the truth for N: docs/throughput.md).
 */
export function buildMetrics(pool: Pool, reporter: Reporter = { isLeader: () => true }): Metrics {
  const metrics = createMetrics();
  metrics.trackDatabase(sqlDbStats(pool), { reporter });
  return metrics;
}

/**
 * The partitions this instance owns, for exporting the lag of those only. Call before the
 * consumer starts, so its first group join is seen.
 */
export function followAssignment(consumer: Pick<Consumer, 'on' | 'events'>, teardown: Teardown): PartitionAssignment {
  const assignment = createPartitionAssignment();
  teardown.add('partition assignment', followGroup(consumer, assignment));
  return assignment;
}

export interface LagOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  log: Logger;
  teardown: Teardown;
}

export async function watchConsumerLag(o: LagOptions): Promise<LagMonitor> {
  const admin = o.kafka.admin();
  await admin.connect();
  o.teardown.add('kafka lag admin', () => admin.disconnect());
  const lag = startLagMonitor({ admin, topic: o.topic, groupId: o.groupId, log: o.log.child({ component: 'lag' }) });
  o.teardown.add('lag monitor', () => lag.stop());
  return lag;
}

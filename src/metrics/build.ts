// The metrics feature's builders: one registry per service (never prom-client's global) with the
// database gauges, and the consumer-lag watcher, which needs its own Kafka admin connection and
// starts once the consumer has joined. Other features' gauges are handed to metrics.track().
import type { Kafka } from 'kafkajs';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { sqlDbStats } from './db-gauges';
import { startLagMonitor, type LagMonitor } from './lag';
import { createMetrics, type Metrics } from './metrics';

export function buildMetrics(pool: Pool): Metrics {
  const metrics = createMetrics();
  metrics.trackDatabase(sqlDbStats(pool));
  return metrics;
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

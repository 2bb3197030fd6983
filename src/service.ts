// The composition root: one builder per feature, called in dependency order. Each builder takes
// the adapters it needs and registers its own teardown, so shutdown runs in reverse: the consumer
// drains first, then HTTP and screens, the jobs (the retry job's last round), the mailer, the
// live settings and the pool (src/lifecycle/teardown.ts). docs/architecture.md maps who owns what.
import { buildAlerts } from './alerts/build';
import { createUnitOfWork } from './changes/unit-of-work';
import type { Config } from './config';
import { openDatabase } from './db/build';
import { buildTokens } from './devices/build';
import { startHttp } from './http/build';
import { scheduleJobs } from './jobs/build';
import { createKafka } from './kafka/client';
import { createLimiters } from './limits/limits';
import { createKitchenRouter } from './kitchen/routes';
import { createTeardown } from './lifecycle/teardown';
import type { Logger } from './log';
import { buildMetrics, followAssignment, watchConsumerLag } from './metrics/build';
import type { Reporter } from './metrics/metrics';
import { buildOrderService } from './order-service/build';
import { buildPipeline } from './pipeline/build';
import { buildPush } from './push/build';
import { buildRetry, retryPolicy } from './retry/build';
import { startSettings } from './settings/build';
import { buildStats } from './stats/build';
import { startCluster } from './cluster/cluster';

export interface Service {
  /** The port HTTP, WebSocket and /metrics listen on (HTTP_PORT, or the one picked for 0). */
  readonly httpPort: number;
  close(): Promise<void>;
}

async function answers(check: () => Promise<unknown>, ms = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Adapters a caller may supply instead of the default ones. */
export interface ServicePorts {
  /**
   * Elects the instance that exports the cluster-wide database gauges; by default the ZooKeeper
   * leader latch (src/cluster/leader.ts), so sum() over instances is the truth (docs/throughput.md).
   */
  gaugeReporter?: Reporter;
}

export async function startService(config: Config, log: Logger, ports: ServicePorts = {}): Promise<Service> {
  const teardown = createTeardown(log);
  try {
    const pool = await openDatabase(config.mysqlUrl, log, teardown);
    // read at scrape time: the latch exists a few lines below
    let leader: Reporter = { isLeader: () => false };
    const metrics = buildMetrics(pool, ports.gaugeReporter ?? { isLeader: () => leader.isLeader() });
    const settings = await startSettings({ zookeeper: config.zookeeper, pool, log, teardown });
    // Shares of the order-service caps and the singleton jobs' leader (docs/scaling.md); closed
    // after the consumer and the retry job, so our share is given back only after our last call.
    const cluster = startCluster({ session: settings.session, root: config.zookeeper.root, log });
    teardown.add('cluster membership', () => cluster.close());
    leader = cluster.leader;

    // The breaker and the outage notices know each other: it tells them when it turns, they read
    // its snapshot. Bound right after both exist, before anything can call the order service.
    let breakerTurned = (): void => undefined;
    const orderService = buildOrderService({
      ...config.orderService,
      limits: settings.current(),
      observer: metrics.orderService,
      onBreakerChange: () => breakerTurned(),
    });
    const alerts = buildAlerts({ config, pool, log, teardown, breaker: orderService.orders });
    breakerTurned = () => alerts.syncOutage();
    teardown.add('order-service breaker', () => orderService.orders.close());

    const tokens = await buildTokens({ pool, secret: config.authSecret, env: config.env, log, teardown });
    // one set of limiters for the API and the WebSocket upgrades (docs/screens.md, limits)
    const limiters = createLimiters(config.limits, (limit) => metrics.rateLimited(limit));
    const hub = buildPush({
      pool, auth: tokens.auth, limiters, boardDays: config.archive.boardDays, log, teardown,
      onPushed: (seconds) => metrics.observePushLatency(seconds),
      onSnapshotRead: () => metrics.snapshotRead(),
    });
    metrics.track({ clientCount: () => hub.clientCount() });
    // Every change screens see commits through this one unit of work, which tells the hub after commit;
    // the stats aggregates are recorded in the same transaction (docs/dashboard.md).
    const stats = buildStats({ config, pool, registry: metrics.clusterRegistry });
    const work = createUnitOfWork({ pool, notifier: hub, recorders: [stats.recorder] });
    const retry = buildRetry({
      config: config.retry, pool, orders: orderService.orders, work, log,
      batchSize: () => settings.current().retryBatchSize,
      zones: stats.zones,
      onAttempt: (_entry, outcome) => metrics.retryAttempt(outcome),
    });
    scheduleJobs({
      config, pool, log, teardown, retry: retry.worker,
      digest: alerts.digest, syncOutage: alerts.syncOutage, observePeers: alerts.observePeers, leader: cluster.leader,
    });

    const kafka = createKafka(`kds-${config.env}`, config.kafka.brokers, log);
    const pipeline = buildPipeline({
      kafka, consumer: config.kafka, env: config.env, pool, orderService, work,
      processingConcurrency: settings.current().processingConcurrency,
      retry: retryPolicy(config.retry), settings, shares: cluster.membership, log, teardown, zones: stats.zones,
      observers: { consumer: metrics.consumer, groups: metrics.writeGroups },
    });

    const httpPort = await startHttp({
      port: config.http.port, hub, teardown,
      pool, auth: tokens.auth, limiters, ops: config.ops, boardDays: config.archive.boardDays, log, work,
      routers: [
        retry.routes, tokens.routes, ...stats.routes,
        createKitchenRouter({ pool, work, boardDays: config.archive.boardDays, recallWindowS: config.kitchen.recallWindowS }),
      ],
      metricsText: () => metrics.metricsText(),
      readiness: async () => ({
        mysql: await answers(() => pool.query('SELECT 1')),
        kafka: pipeline.consumer.isConnected(),
        zookeeper: settings.isConnected(),
      }),
    });

    // lag is exported by each partition's owner: follow the group before the first join
    const assignment = followAssignment(pipeline.consumer.consumer, teardown);
    await pipeline.start();
    const lag = await watchConsumerLag({ kafka, topic: config.kafka.topic, groupId: config.kafka.groupId, log, teardown });
    metrics.track({ scheduler: pipeline.scheduler, gate: orderService.gate, settings, lag, consumer: pipeline.consumer, assignment });
    log.info('service started', { topic: config.kafka.topic, group: config.kafka.groupId });
    return { httpPort, close: () => teardown.close() };
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

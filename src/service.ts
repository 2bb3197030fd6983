// The composition root. It opens the connections every feature shares first (the MySQL pool, the
// ZooKeeper session, the Kafka client), then calls one builder per feature in dependency order;
// nothing is bound late. Each builder takes the adapters it needs and registers its own teardown,
// so shutdown runs in reverse: the consumer drains first, then HTTP and screens, the jobs (the
// retry job's last round), the mailer, the live settings, the cluster membership, the ZooKeeper
// session and the pool (src/lifecycle/teardown.ts). docs/architecture.md maps who owns what.
import { buildAlerts } from './alerts/build';
import { createUnitOfWork } from './changes/unit-of-work';
import { buildCluster, openZooKeeper } from './cluster/build';
import type { Config } from './config';
import { openDatabase } from './db/build';
import { buildTokens } from './devices/build';
import { startHttp } from './http/build';
import { scheduleJobs } from './jobs/build';
import { createKafka } from './kafka/client';
import { buildFiring } from './firing/build';
import { buildKitchen } from './kitchen/build';
import { createTeardown } from './lifecycle/teardown';
import { buildLimits } from './limits/build';
import type { Logger } from './log';
import { buildMetrics, followAssignment, watchConsumerLag } from './metrics/build';
import type { Reporter } from './metrics/metrics';
import { buildOrderService } from './order-service/build';
import { buildPipeline } from './pipeline/build';
import { buildPresence } from './presence/build';
import { createStationScreens } from './presence/screens';
import { buildPrinting } from './printing/build';
import { buildPush } from './push/build';
import { buildReadiness } from './readiness/build';
import { buildRetry, retryPolicy } from './retry/build';
import { startSettings } from './settings/build';
import { buildStats } from './stats/build';
import { listMembers } from './cluster/members-list';
import { createDeadLetterRouter } from './dead-letters/routes';
import type { LagMonitor } from './metrics/lag';
import { createOpsStatusRouter } from './ops/routes';

export interface Service {
  /** The port HTTP, WebSocket and /metrics listen on (HTTP_PORT, or the one picked for 0). */
  readonly httpPort: number;
  close(): Promise<void>;
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
    // the shared connections
    const pool = await openDatabase(config.mysqlUrl, log, teardown);
    const zookeeper = openZooKeeper({ connect: config.zookeeper.connect, log, teardown });

    // Shares of the order-service caps and the singleton jobs' leader (docs/scaling.md); closed
    // after the consumer and the retry job, so our share is given back only after our last call.
    const cluster = buildCluster({ session: zookeeper, root: config.zookeeper.root, log, teardown });
    const metrics = buildMetrics(pool, ports.gaugeReporter ?? cluster.leader);
    // kafkajs reports an out-of-range committed offset only in its log, which counts it here
    const kafka = createKafka(`kds-${config.env}`, config.kafka.brokers, log, {
      offsetOutOfRange: (_topic, partition) => metrics.consumer.offsetReset?.('out_of_range', { partition }),
    });
    const settings = await startSettings({ session: zookeeper, root: config.zookeeper.root, pool, log, teardown });
    const orderService = buildOrderService({
      ...config.orderService,
      limits: settings.current(),
      observer: metrics.orderService,
    });
    // subscribes to the breaker's turns before anything can call the order service
    const alerts = buildAlerts({ config, pool, log, teardown, breaker: orderService.orders });
    // Runs after the consumer and the jobs have stopped calling, before the membership gives our
    // share to the others: our last starts still count in the order service's current second.
    teardown.add('order-service rate window', () => orderService.gate.settled());
    teardown.add('order-service breaker', () => orderService.orders.close());

    const tokens = await buildTokens({ pool, secret: config.authSecret, env: config.env, log, teardown });
    const limiters = buildLimits({ limits: config.limits, onRefused: (limit) => metrics.rateLimited(limit) });
    // who holds open sockets on any instance: the hub's caps per token/device and per address, and
    // the kitchen screens per station that the printers' fallback asks about
    const presence = buildPresence({ pool, log, teardown });
    const printing = buildPrinting({
      config, pool, log, teardown, registry: metrics.clusterRegistry, screens: createStationScreens(presence),
    });
    const hub = buildPush({
      pool, auth: tokens.auth, limiters, presence, socketCaps: config.socketCaps, boardDays: config.archive.boardDays, log, teardown,
      onPushed: (seconds) => metrics.observePushLatency(seconds),
      onSnapshotRead: () => metrics.snapshotRead(),
    });
    metrics.track({ clientCount: () => hub.clientCount() });
    // Every change screens see commits through this one unit of work, which tells the hub after commit;
    // the stats aggregates are recorded in the same transaction (docs/dashboard.md).
    const stats = buildStats({ config, pool, registry: metrics.clusterRegistry });
    const work = createUnitOfWork({ pool, notifier: hub, recorders: [stats.recorder] });
    const kitchen = buildKitchen({ config, pool, work });
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

    // hold and fire, the pass, batches, the menu, and the scheduled fires' poller (docs/screens.md)
    const firing = buildFiring({
      pool, work, boardDays: config.archive.boardDays, log, teardown, registry: metrics.registry, clusterRegistry: metrics.clusterRegistry,
    });
    const pipeline = buildPipeline({
      kafka, consumer: config.kafka, env: config.env, pool, orderService, work,
      processingConcurrency: settings.current().processingConcurrency,
      retry: retryPolicy(config.retry), settings, shares: cluster.membership, log, teardown, zones: stats.zones,
      observers: { consumer: metrics.consumer, groups: metrics.writeGroups },
    });

    // the on-call console (docs/operations.md): dead letters replayed through the pipeline's own
    // path, and the live panels; the lag monitor joins once the consumer runs
    const late: { lag?: LagMonitor } = {};
    const deadLetters = createDeadLetterRouter({ pool, replay: pipeline.replay, log: log.child({ component: 'dead-letters' }) });
    const opsStatus = createOpsStatusRouter({
      pool, env: config.env, topic: config.kafka.topic, groupId: config.kafka.groupId,
      lag: () => late.lag?.snapshot(), gate: orderService.gate, breaker: orderService.orders, settings,
      cluster: { id: cluster.id, view: () => cluster.membership.view(), members: () => listMembers(zookeeper, config.zookeeper.root) },
    });

    const httpPort = await startHttp({
      port: config.http.port, hub, teardown,
      pool, auth: tokens.auth, limiters, ops: config.ops, boardDays: config.archive.boardDays, log, work,
      routers: [
        retry.routes, deadLetters, opsStatus, tokens.routes, ...stats.routes, kitchen.routes, ...firing.routes, printing.routes,
      ],
      metricsText: () => metrics.metricsText(),
      readiness: buildReadiness({
        mysqlUrl: config.mysqlUrl, teardown,
        probes: { kafka: () => pipeline.consumer.isConnected(), zookeeper: () => zookeeper.isConnected() },
      }),
    });

    // lag is exported by each partition's owner: follow the group before the first join
    const assignment = followAssignment(pipeline.consumer.consumer, teardown);
    await pipeline.start();
    const lag = await watchConsumerLag({ kafka, topic: config.kafka.topic, groupId: config.kafka.groupId, log, teardown });
    late.lag = lag;
    metrics.track({ scheduler: pipeline.scheduler, gate: orderService.gate, settings, lag, consumer: pipeline.consumer, assignment });
    log.info('service started', { topic: config.kafka.topic, group: config.kafka.groupId });
    return { httpPort, close: () => teardown.close() };
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

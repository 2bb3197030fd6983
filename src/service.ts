// The composition root: builds every adapter from the config, hands them to the feature
// factories, starts them in order, and registers their teardown (closed in reverse).
import cron from 'node-cron';
import { createUnitOfWork } from './changes/unit-of-work';
import type { Config } from './config';
import { migrate } from './db/migrate';
import { createPool, POOL_SIZE, warmPool } from './db/pool';
import { createKafka } from './kafka/client';
import { sqlDbStats } from './metrics/db-gauges';
import { startLagMonitor } from './metrics/lag';
import { createMetrics } from './metrics/metrics';
import { createHttpServer } from './http/app';
import { createTeardown } from './lifecycle/teardown';
import type { Logger } from './log';
import { createOrderServiceClient } from './order-service/client';
import { createCallGate } from './order-service/limiter';
import { createOrderConsumer } from './pipeline/consumer';
import { createKeyedScheduler } from './pipeline/keyed-scheduler';
import { createPushHub } from './push/hub';
import { createEventProcessor, parkFailedEvent } from './pipeline/process-event';
import { storeDeadLetter } from './pipeline/sql/dead-letter';
import { backoffMs } from './retry/backoff';
import { createRetryWorker } from './retry/worker';
import { createFailureDigest } from './alerts/digest';
import { createSmtpMailer } from './alerts/mailer';
import { createOutageAlerts } from './alerts/outage-alerts';
import { createArchiveJob } from './archive/job';
import { createBreaker, DEFAULT_BREAKER_OPTIONS } from './order-service/breaker';
import { createRetryAdminRouter } from './retry/admin-routes';
import { bindSettings } from './settings/bind';
import { jobStateLastGood } from './settings/last-good';
import { startLiveSettings } from './settings/live-settings';

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

/** Defaults of the live settings until ZooKeeper says otherwise. */
export const DEFAULT_SETTINGS = {
  processingConcurrency: 64,
  orderServiceMaxConcurrent: 16,
  orderServiceMaxPerSecond: 200,
  retryBatchSize: 100,
};

export async function startService(config: Config, log: Logger): Promise<Service> {
  const teardown = createTeardown(log);
  try {
    const applied = await migrate(config.mysqlUrl, log);
    if (applied.length > 0) log.info('migrations applied', { applied });
    const pool = createPool(config.mysqlUrl, POOL_SIZE);
    teardown.add('mysql pool', () => pool.end());
    await warmPool(pool, POOL_SIZE);
    // Metrics (own registry) and live settings: ZooKeeper znodes, last good values kept in MySQL
    // so a restart during a ZooKeeper outage keeps them (docs/throughput.md).
    const metrics = createMetrics();
    metrics.trackDatabase(sqlDbStats(pool));
    const settings = await startLiveSettings({
      connect: config.zookeeper.connect,
      root: config.zookeeper.root,
      defaults: DEFAULT_SETTINGS,
      log: log.child({ component: 'settings' }),
      lastGood: jobStateLastGood(pool),
    });
    teardown.add('live settings', () => settings.close());

    const gate = createCallGate({
      maxConcurrent: DEFAULT_SETTINGS.orderServiceMaxConcurrent,
      maxPerSecond: DEFAULT_SETTINGS.orderServiceMaxPerSecond,
    });
    const orderClient = createOrderServiceClient({
      baseUrl: config.orderService.url,
      timeoutMs: config.orderService.timeoutMs,
      gate,
      observer: metrics.orderService,
    });
    // Failure digest and outage notices go to the developers (docs/operations.md).
    const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from, to: config.smtp.to });
    teardown.add('mailer', () => mailer.close());
    // When the order service fails for everyone: stop calling it (one probe every few seconds),
    // park and defer without spending attempts, mail once when it goes down and once when it is back.
    const orders = createBreaker(orderClient, { onChange: () => syncOutage() });
    const outageAlerts = createOutageAlerts({
      pool, mailer, log: log.child({ component: 'alerts' }), envName: config.env,
      breaker: orders, probeIntervalMs: DEFAULT_BREAKER_OPTIONS.probeIntervalMs,
    });
    const syncOutage = (): void => {
      outageAlerts.sync().catch((err: unknown) => log.error('outage notice sync failed', { err }));
    };
    // Screens: the hub is told of every committed change (by the unit of work, after commit) and
    // polls for other instances'. Built before everything that commits changes.
    const hub = createPushHub(
      { pool, authSecret: config.authSecret, boardDays: config.archive.boardDays, log },
      { onPushed: (seconds) => metrics.observePushLatency(seconds) },
    );
    const work = createUnitOfWork({ pool, notifier: hub });
    const retryPolicy = {
      maxAttempts: config.retry.maxAttempts,
      delayMs: (retry: number) => backoffMs(retry, config.retry.backoffBaseMs),
    };

    const worker = createRetryWorker({
      pool,
      orders,
      work,
      log: log.child({ component: 'retry' }),
      backoffBaseMs: config.retry.backoffBaseMs,
      maxAttempts: config.retry.maxAttempts,
      batchSize: () => settings.current().retryBatchSize,
      onAttempt: (_entry, outcome) => metrics.retryAttempt(outcome),
    });
    const retryTask = cron.schedule(
      config.retry.cron,
      () => {
        worker.runOnce().catch((err: unknown) => log.error('retry run failed', { err }));
      },
      { name: 'retry', noOverlap: true },
    );
    teardown.add('retry job', async () => {
      await retryTask.stop();
      await worker.runOnce().catch(() => undefined);
    });
    const digest = createFailureDigest({
      pool, mailer, log: log.child({ component: 'alerts' }), envName: config.env,
      apiBaseUrl: config.http.publicUrl, maxAttempts: config.retry.maxAttempts,
      minIntervalMs: config.smtp.digestIntervalMs,
    });
    // Every instance ticks; job_state row locks make one of them send (digest rate-limited inside).
    // The outage sync also refreshes this instance's "still down" mark and retries refused notices.
    const alertTask = cron.schedule(
      '*/15 * * * * *',
      () => {
        digest.runOnce().catch((err: unknown) => log.error('failure digest failed', { err }));
        syncOutage();
      },
      { name: 'alerts', noOverlap: true },
    );
    teardown.add('alert jobs', () => alertTask.stop());
    const archive = createArchiveJob({ pool, log: log.child({ component: 'archive' }), afterDays: config.archive.afterDays });
    const archiveTask = cron.schedule(
      config.archive.cron,
      () => {
        archive.runOnce().catch((err: unknown) => log.error('archive run failed', { err }));
      },
      { name: 'archive', noOverlap: true },
    );
    teardown.add('archive job', async () => {
      await archiveTask.stop();
      await archive.stop();
    });

    const kafka = createKafka(`kds-${config.env}`, config.kafka.brokers, log);
    const scheduler = createKeyedScheduler(settings.current().processingConcurrency);
    teardown.add('live settings binding', bindSettings(settings, { scheduler, gate }));
    const consumer = createOrderConsumer({
      kafka,
      topic: config.kafka.topic,
      groupId: config.kafka.groupId,
      env: config.env,
      fromBeginning: config.kafka.fromBeginning,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      process: createEventProcessor({
        pool,
        orders,
        work,
        retry: retryPolicy,
        groups: metrics.writeGroups,
      }),
      parkFailed: (input, err) => parkFailedEvent(work, input, err, { ...retryPolicy, now: new Date() }),
      deadLetter: (d) => storeDeadLetter(pool, d),
      scheduler,
      log: log.child({ component: 'consumer' }),
      observer: metrics.consumer,
    });

    metrics.track({ clientCount: () => hub.clientCount() });
    const http = createHttpServer(
      {
        pool,
        authSecret: config.authSecret,
        boardDays: config.archive.boardDays,
        log,
        work,
        routers: [createRetryAdminRouter({ pool, worker, log: log.child({ component: 'retry-admin' }) })],
        metricsText: () => metrics.metricsText(),
        readiness: async () => ({
          mysql: await answers(() => pool.query('SELECT 1')),
          kafka: consumer.isConnected(),
          zookeeper: settings.isConnected(),
        }),
      },
      hub,
    );
    const httpPort = await http.listen(config.http.port);
    teardown.add('http and screens', () => http.close());
    log.info('http listening', { port: httpPort });

    // registered first: a start that fails after connecting must still disconnect
    teardown.add('kafka consumer', () => consumer.stop());
    await consumer.start();
    const lagAdmin = kafka.admin();
    await lagAdmin.connect();
    teardown.add('kafka lag admin', () => lagAdmin.disconnect());
    const lag = startLagMonitor({ admin: lagAdmin, topic: config.kafka.topic, groupId: config.kafka.groupId, log: log.child({ component: 'lag' }) });
    teardown.add('lag monitor', () => lag.stop());
    metrics.track({ scheduler, gate, settings, lag, consumer });
    log.info('service started', { topic: config.kafka.topic, group: config.kafka.groupId });
    return { httpPort, close: () => teardown.close() };
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

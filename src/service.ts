// The composition root: builds every adapter from the config, hands them to the feature
// factories, starts them in order, and registers their teardown (closed in reverse).
import cron from 'node-cron';
import type { ChangeNotifier } from './changes/append';
import type { Config } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createKafka } from './kafka/client';
import { createTeardown } from './lifecycle/teardown';
import type { Logger } from './log';
import { createOrderServiceClient } from './order-service/client';
import { createCallGate } from './order-service/limiter';
import { createOrderConsumer } from './pipeline/consumer';
import { createKeyedScheduler } from './pipeline/keyed-scheduler';
import { createEventProcessor } from './pipeline/process-event';
import { storeDeadLetter } from './pipeline/sql/dead-letter';
import { backoffMs } from './retry/backoff';
import { createRetryWorker } from './retry/worker';

export interface Service {
  close(): Promise<void>;
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
    const pool = createPool(config.mysqlUrl);
    teardown.add('mysql pool', () => pool.end());

    const gate = createCallGate({
      maxConcurrent: DEFAULT_SETTINGS.orderServiceMaxConcurrent,
      maxPerSecond: DEFAULT_SETTINGS.orderServiceMaxPerSecond,
    });
    const orders = createOrderServiceClient({
      baseUrl: config.orderService.url,
      timeoutMs: config.orderService.timeoutMs,
      gate,
    });
    const notifiers: ChangeNotifier[] = [];
    const notifier: ChangeNotifier = {
      changed: (m, seq) => notifiers.forEach((n) => n.changed(m, seq)),
    };

    const worker = createRetryWorker({
      pool,
      orders,
      notifier,
      log: log.child({ component: 'retry' }),
      backoffBaseMs: config.retry.backoffBaseMs,
      maxAttempts: config.retry.maxAttempts,
      batchSize: () => DEFAULT_SETTINGS.retryBatchSize,
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

    const kafka = createKafka(`kds-${config.env}`, config.kafka.brokers, log);
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
        notifier,
        firstRetryAt: (now) => new Date(now.getTime() + backoffMs(1, config.retry.backoffBaseMs)),
      }),
      deadLetter: (d) => storeDeadLetter(pool, d),
      scheduler: createKeyedScheduler(DEFAULT_SETTINGS.processingConcurrency),
      log: log.child({ component: 'consumer' }),
    });
    await consumer.start();
    teardown.add('kafka consumer', () => consumer.stop());
    log.info('service started', { topic: config.kafka.topic, group: config.kafka.groupId });
    return { close: () => teardown.close() };
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

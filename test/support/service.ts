// Runs the real service in-process (startService, the same composition root `npm start` uses)
// against real Kafka, MariaDB and an order-service simulator, configured through the same
// environment variables a user sets.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { createLogger, silentLogger } from '../../src/log';
import { startService, type Service, type ServicePorts } from '../../src/service';
import { KAFKA_BROKERS, ZK_CONNECT } from './infra';

/** Random per run: the service refuses well-known secrets. Tokens: signToken(…, TEST_KEY). */
export const TEST_SECRET = randomBytes(48).toString('base64');
export const TEST_KEY = { secret: TEST_SECRET, env: 'test' } as const;

export interface TestServiceOptions {
  dbUrl: string;
  topic: string;
  orderServiceUrl: string;
  groupId?: string;
  env?: Record<string, string>;
}

export function testEnv(o: TestServiceOptions): Record<string, string> {
  return {
    KDS_ENV: 'test',
    KAFKA_BROKERS: KAFKA_BROKERS.join(','),
    KAFKA_ORDER_TOPIC: o.topic,
    KAFKA_GROUP_ID: o.groupId ?? `test_kds_${randomBytes(4).toString('hex')}`,
    KAFKA_FROM_BEGINNING: 'true',
    MYSQL_URL: o.dbUrl,
    ZOOKEEPER_CONNECT: ZK_CONNECT,
    ZOOKEEPER_ROOT: `/kds-test/${randomBytes(4).toString('hex')}`,
    ORDER_SERVICE_URL: o.orderServiceUrl,
    ORDER_SERVICE_TIMEOUT_MS: '1000',
    // nothing listens on the discard port: alert mail from these tests never reaches a real inbox
    SMTP_URL: 'smtp://127.0.0.1:9',
    ALERT_EMAIL_TO: 'dev@example.test',
    HTTP_PORT: '0',
    KDS_AUTH_SECRET: TEST_SECRET,
    RETRY_CRON: '* * * * * *',
    RETRY_BACKOFF_BASE_MS: '200',
    ...o.env,
  };
}

export async function startTestService(o: TestServiceOptions, ports: ServicePorts = {}): Promise<{ service: Service; config: Config }> {
  const config = loadConfig(testEnv(o));
  const log = process.env.TEST_LOG ? createLogger({ test: o.topic }, 'debug') : silentLogger;
  return { service: await startService(config, log, ports), config };
}

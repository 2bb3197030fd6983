// Every way src/config.ts refuses an environment names the variable at the start of one line, and
// a minimal environment gets the contract's defaults.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, loadTokenIssuerConfig } from '../../src/config';
import { DEFAULT_RATE_LIMITS } from '../../src/limits/limits';

const SECRET = randomBytes(48).toString('base64');

const MINIMAL = Object.freeze({
  KDS_ENV: 'test',
  ORDER_SERVICE_URL: 'http://127.0.0.1:8090/',
  ALERT_EMAIL_TO: 'dev1@example.com, dev2@example.com',
  KDS_AUTH_SECRET: SECRET,
});

function rejects(env: Record<string, string | undefined>, variable: string): void {
  assert.throws(
    () => loadConfig({ ...MINIMAL, ...env }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
      assert.match(err.message, new RegExp(`^${variable}\\b`), `message names ${variable}`);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

describe('required variables', () => {
  for (const name of Object.keys(MINIMAL)) {
    test(`${name} missing`, () => rejects({ [name]: undefined }, name));
    test(`${name} blank`, () => rejects({ [name]: '   ' }, name));
  }
});

describe('malformed values', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['KDS_ENV with capitals', { KDS_ENV: 'Prod' }, 'KDS_ENV'],
    ['KDS_ENV with a dash', { KDS_ENV: 'pre-1' }, 'KDS_ENV'],
    ['topic of another environment', { KAFKA_ORDER_TOPIC: 'prod_order' }, 'KAFKA_ORDER_TOPIC'],
    ['topic without any prefix', { KAFKA_ORDER_TOPIC: 'order' }, 'KAFKA_ORDER_TOPIC'],
    ['KAFKA_FROM_BEGINNING not a boolean', { KAFKA_FROM_BEGINNING: 'yes' }, 'KAFKA_FROM_BEGINNING'],
    ['KAFKA_METADATA_MAX_AGE_MS below 1 s', { KAFKA_METADATA_MAX_AGE_MS: '500' }, 'KAFKA_METADATA_MAX_AGE_MS'],
    ['KAFKA_METADATA_MAX_AGE_MS not a number', { KAFKA_METADATA_MAX_AGE_MS: '5s' }, 'KAFKA_METADATA_MAX_AGE_MS'],
    ['secret of 31 characters', { KDS_AUTH_SECRET: SECRET.slice(0, 31) }, 'KDS_AUTH_SECRET'],
    ['secret of one repeated character', { KDS_AUTH_SECRET: 'x'.repeat(64) }, 'KDS_AUTH_SECRET'],
    ['the old docker-compose secret', { KDS_AUTH_SECRET: 'dev-only-secret-change-me-0123456789abcdef' }, 'KDS_AUTH_SECRET'],
    ['the .env.example instruction', { KDS_AUTH_SECRET: 'generate-one-with:openssl-rand-base64-48' }, 'KDS_AUTH_SECRET'],
    ['a weak METRICS_TOKEN', { METRICS_TOKEN: 'prometheus-prometheus-prometheus' }, 'METRICS_TOKEN'],
    ['a limit that is not a number', { LIMIT_API_TOKEN_PER_MIN: 'lots' }, 'LIMIT_API_TOKEN_PER_MIN'],
    ['a negative burst', { LIMIT_WS_ADDRESS_BURST: '-1' }, 'LIMIT_WS_ADDRESS_BURST'],
    ['no open sockets per address at all', { LIMIT_WS_ADDRESS_OPEN: '0' }, 'LIMIT_WS_ADDRESS_OPEN'],
    ['OPS_ALLOW_FROM with a host name', { OPS_ALLOW_FROM: '127.0.0.1,prometheus' }, 'OPS_ALLOW_FROM'],
    ['OPS_ALLOW_FROM with a bad prefix', { OPS_ALLOW_FROM: '10.0.0.0/33' }, 'OPS_ALLOW_FROM'],
    ['broker without port', { KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    ['broker list with a bad entry', { KAFKA_BROKERS: '127.0.0.1:9092,kafka' }, 'KAFKA_BROKERS'],
    ['ZooKeeper connect not host:port', { ZOOKEEPER_CONNECT: 'zk:abc' }, 'ZOOKEEPER_CONNECT'],
    ['relative ZooKeeper root', { ZOOKEEPER_ROOT: 'kds/test' }, 'ZOOKEEPER_ROOT'],
    ['MYSQL_URL not a URL', { MYSQL_URL: 'root@localhost/kds' }, 'MYSQL_URL'],
    ['MYSQL_URL of another scheme', { MYSQL_URL: 'postgres://127.0.0.1/kds' }, 'MYSQL_URL'],
    ['ORDER_SERVICE_URL not http', { ORDER_SERVICE_URL: 'ftp://orders' }, 'ORDER_SERVICE_URL'],
    ['ORDER_SERVICE_URL not a URL', { ORDER_SERVICE_URL: 'orders:8090' }, 'ORDER_SERVICE_URL'],
    ['SMTP_URL not smtp', { SMTP_URL: 'http://127.0.0.1:1025' }, 'SMTP_URL'],
    ['alert recipient not an address', { ALERT_EMAIL_TO: 'dev1@example.com, nobody' }, 'ALERT_EMAIL_TO'],
    ['alert sender not an address', { ALERT_EMAIL_FROM: 'kds' }, 'ALERT_EMAIL_FROM'],
    ['HTTP_PORT not a number', { HTTP_PORT: 'eighty' }, 'HTTP_PORT'],
    ['HTTP_PORT out of range', { HTTP_PORT: '65536' }, 'HTTP_PORT'],
    ['timeout below minimum', { ORDER_SERVICE_TIMEOUT_MS: '10' }, 'ORDER_SERVICE_TIMEOUT_MS'],
    ['session timeout below minimum', { KAFKA_SESSION_TIMEOUT_MS: '1000' }, 'KAFKA_SESSION_TIMEOUT_MS'],
    ['timeout with a unit', { ORDER_SERVICE_TIMEOUT_MS: '2s' }, 'ORDER_SERVICE_TIMEOUT_MS'],
    ['backoff as a fraction', { RETRY_BACKOFF_BASE_MS: '1.5' }, 'RETRY_BACKOFF_BASE_MS'],
    ['zero attempts', { RETRY_MAX_ATTEMPTS: '0' }, 'RETRY_MAX_ATTEMPTS'],
    ['negative archive age', { ARCHIVE_AFTER_DAYS: '-1' }, 'ARCHIVE_AFTER_DAYS'],
    ['board days not a number', { BOARD_DAYS: 'three' }, 'BOARD_DAYS'],
    ['retry cron in words', { RETRY_CRON: 'every 10 seconds' }, 'RETRY_CRON'],
    ['retry cron with too few fields', { RETRY_CRON: '*/10 * *' }, 'RETRY_CRON'],
    ['archive cron with seven fields', { ARCHIVE_CRON: '0 30 3 * * * *' }, 'ARCHIVE_CRON'],
    ['public URL not a URL', { KDS_PUBLIC_URL: 'kds.example' }, 'KDS_PUBLIC_URL'],
    ['digest interval zero', { ALERT_DIGEST_INTERVAL_S: '0' }, 'ALERT_DIGEST_INTERVAL_S'],
    ['log level unknown', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ['log level a number', { LOG_LEVEL: '30' }, 'LOG_LEVEL'],
    ['unknown time zone', { MERCHANT_TIME_ZONE: 'Mars/Olympus_Mons' }, 'MERCHANT_TIME_ZONE'],
    ['time zone as an offset', { MERCHANT_TIME_ZONE: '+08:00 China' }, 'MERCHANT_TIME_ZONE'],
    ['late threshold zero', { LATE_AFTER_S: '0' }, 'LATE_AFTER_S'],
  ];
  for (const [label, env, variable] of cases) test(label, () => rejects(env, variable));
});

test('merchant time zone: UTC by default, canonical names kept', () => {
  assert.deepEqual(loadConfig({ ...MINIMAL }).stats, { defaultTimeZone: 'UTC', lateAfterS: 900 });
  assert.equal(loadConfig({ ...MINIMAL, MERCHANT_TIME_ZONE: 'Asia/Shanghai' }).stats.defaultTimeZone, 'Asia/Shanghai');
  assert.equal(loadConfig({ ...MINIMAL, MERCHANT_TIME_ZONE: 'utc' }).stats.defaultTimeZone, 'UTC');
});

test('defaults follow the contract', () => {
  const c = loadConfig({ ...MINIMAL });
  // field by field, so a setting added later does not break this test
  assert.equal(c.env, 'test');
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.kafka.topic, 'test_order');
  assert.equal(c.kafka.groupId, 'test_kds');
  assert.equal(c.kafka.fromBeginning, false);
  assert.equal(c.kafka.metadataMaxAgeMs, 5000);
  assert.equal(c.mysqlUrl, 'mysql://root@127.0.0.1:3306/kds');
  assert.deepEqual(c.zookeeper, { connect: '127.0.0.1:2181', root: '/kds/test' });
  assert.deepEqual(c.orderService, { url: 'http://127.0.0.1:8090', timeoutMs: 2000 });
  assert.deepEqual(c.smtp, {
    url: 'smtp://127.0.0.1:1025',
    to: ['dev1@example.com', 'dev2@example.com'],
    from: 'kds@localhost',
    digestIntervalMs: 60_000,
  });
  assert.deepEqual(c.http, { port: 8080, publicUrl: 'http://localhost:8080' });
  assert.equal(c.authSecret, SECRET);
  assert.deepEqual(c.limits, DEFAULT_RATE_LIMITS);
  assert.deepEqual(c.ops, { allowFrom: ['127.0.0.1/8', '::1'], metricsToken: undefined });
  assert.deepEqual(c.retry, { cron: '*/10 * * * * *', backoffBaseMs: 10_000, maxAttempts: 7 });
  assert.deepEqual(c.archive, { cron: '0 30 3 * * *', afterDays: 7, boardDays: 3, pausePercent: 50 });
  assert.equal(c.logLevel, 'info');
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.kafka) && Object.isFrozen(c.kafka.brokers));
});

test('explicit values are taken', () => {
  const c = loadConfig({
    ...MINIMAL,
    KDS_ENV: 'pre',
    KAFKA_ORDER_TOPIC: 'pre_order_v2',
    KAFKA_BROKERS: 'k1:9092, k2:9092',
    KAFKA_FROM_BEGINNING: 'true',
    ZOOKEEPER_ROOT: '/kds/pre/',
    HTTP_PORT: '0',
    RETRY_MAX_ATTEMPTS: '3',
    LOG_LEVEL: ' Debug ',
  });
  assert.equal(c.kafka.topic, 'pre_order_v2');
  assert.deepEqual(c.kafka.brokers, ['k1:9092', 'k2:9092']);
  assert.equal(c.kafka.groupId, 'pre_kds');
  assert.equal(c.kafka.fromBeginning, true);
  assert.equal(c.zookeeper.root, '/kds/pre');
  assert.equal(c.http.port, 0);
  assert.equal(c.retry.maxAttempts, 3);
  assert.equal(c.logLevel, 'debug');
});

test('limits and ops access are configurable', () => {
  const metricsToken = randomBytes(32).toString('hex');
  const c = loadConfig({
    ...MINIMAL,
    LIMIT_API_TOKEN_PER_MIN: '120', LIMIT_API_TOKEN_BURST: '0', LIMIT_WS_ADDRESS_BURST: '1000',
    OPS_ALLOW_FROM: '10.0.0.0/8, fd00::/8', METRICS_TOKEN: metricsToken,
  });
  assert.deepEqual(c.limits.apiPerToken, { perMinute: 120, burst: 0 });
  assert.deepEqual(c.limits.wsPerAddress, { perMinute: DEFAULT_RATE_LIMITS.wsPerAddress.perMinute, burst: 1000 });
  assert.deepEqual(c.ops, { allowFrom: ['10.0.0.0/8', 'fd00::/8'], metricsToken });
  assert.deepEqual(loadConfig({ ...MINIMAL, OPS_ALLOW_FROM: 'none' }).ops.allowFrom, []);
  assert.deepEqual(c.socketCaps, { perToken: 20, perAddress: 500 });
  assert.deepEqual(loadConfig({ ...MINIMAL, LIMIT_WS_ADDRESS_OPEN: '2000' }).socketCaps, { perToken: 20, perAddress: 2000 });
});

describe('secrets never appear in errors', () => {
  const password = 'S3cr3t-Pa55word';
  for (const [label, value] of [
    ['MYSQL_URL without a scheme', `root:${password}@db:3306/kds`],
    ['MYSQL_URL with a space in the host', `mysql://root:${password}@db host:3306/kds`],
    ['MYSQL_URL with a bad port', `mysql://root:${password}@db:port/kds`],
  ] as const) {
    test(label, () => {
      assert.throws(() => loadConfig({ ...MINIMAL, MYSQL_URL: value }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^MYSQL_URL\b/);
        assert.ok(!err.message.includes(password), `no password in: ${err.message}`);
        return true;
      });
    });
  }
  test('SMTP_URL is not echoed either', () => {
    assert.throws(() => loadConfig({ ...MINIMAL, SMTP_URL: `user:${password}@mail` }), (err: unknown) => {
      assert.ok(err instanceof ConfigError && !err.message.includes(password));
      return true;
    });
  });
  test('a weak secret is named, not shown', () => {
    const weak = 'change-me-please-0123456789-abcdef-kds';
    assert.throws(() => loadConfig({ ...MINIMAL, KDS_AUTH_SECRET: weak }), (err: unknown) => {
      assert.ok(err instanceof ConfigError && !err.message.includes(weak));
      assert.match(err.message, /openssl rand -base64 48/);
      return true;
    });
  });
});

test('npm run token needs KDS_ENV and a strong secret only', () => {
  const c = loadTokenIssuerConfig({ KDS_ENV: 'pre', KDS_AUTH_SECRET: SECRET });
  assert.deepEqual(c, { env: 'pre', authSecret: SECRET, mysqlUrl: 'mysql://root@127.0.0.1:3306/kds' });
  assert.throws(() => loadTokenIssuerConfig({ KDS_AUTH_SECRET: SECRET }), /^ConfigError: KDS_ENV/);
  assert.throws(() => loadTokenIssuerConfig({ KDS_ENV: 'pre', KDS_AUTH_SECRET: 'x'.repeat(40) }), /KDS_AUTH_SECRET/);
});

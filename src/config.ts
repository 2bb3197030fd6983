// The only reader of process.env. Everything is validated once into a frozen object; a bad value
// stops start-up with one line that names the variable (ConfigError.message).

import { isIP } from 'node:net';
import { validate as validateCron } from 'node-cron';
import { GENERATE_HINT, secretProblem } from './auth/secret';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './limits/limits';
import type { BucketSpec } from './limits/token-bucket';
import { LEVELS, type Level } from './log';
import { DEFAULT_SOCKET_CAPS, type SocketCaps } from './push/socket-caps';
import { canonicalZone } from './local-time/zone';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config {
  readonly env: string;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly topic: string;
    readonly groupId: string;
    /**
     * What the group's first start records as its moment (src/offsets/): false (default) now, true
     * the beginning of time. Partitions without a committed offset start at that moment.
     */
    readonly fromBeginning: boolean;
    /** How long the broker waits for a silent member (a killed instance) before rebalancing. */
    readonly sessionTimeoutMs: number;
    /** How old the consumer's view of the topic's partitions may get: partitions added are consumed within about this long. */
    readonly metadataMaxAgeMs: number;
  };
  readonly mysqlUrl: string;
  readonly zookeeper: { readonly connect: string; readonly root: string };
  readonly orderService: { readonly url: string; readonly timeoutMs: number };
  readonly smtp: {
    readonly url: string;
    readonly to: readonly string[];
    readonly from: string;
    /** At most one failure digest per this many ms (a flood gives a few digests, not thousands). */
    readonly digestIntervalMs: number;
  };
  /** Where operators reach this service; the replay/discard calls in failure mail use it. */
  readonly http: { readonly port: number; readonly publicUrl: string };
  readonly authSecret: string;
  /** API and WebSocket limits per token and per address (docs/screens.md). */
  readonly limits: RateLimits;
  /** Open WebSockets across instances: per token or device (contract: 20), per address (docs/screens.md). */
  readonly socketCaps: SocketCaps;
  /** Who may read /metrics and the detail of /readyz besides admin tokens (docs/screens.md). */
  readonly ops: {
    /** Addresses or CIDR blocks allowed without a token; default loopback only. */
    readonly allowFrom: readonly string[];
    /** Bearer token for Prometheus (METRICS_TOKEN), when set. */
    readonly metricsToken: string | undefined;
  };
  readonly retry: {
    readonly cron: string;
    readonly backoffBaseMs: number;
    readonly maxAttempts: number;
  };
  readonly archive: { readonly cron: string; readonly afterDays: number; readonly boardDays: number; readonly pausePercent: number };
  /** The lowest level written to the log (LOG_LEVEL). */
  readonly logLevel: Level;
  /** Merchants' local days: the default IANA zone (per-merchant overrides live in MySQL), and when a dish counts as late. */
  readonly stats: { readonly defaultTimeZone: string; readonly lateAfterS: number };
  /** Kitchen actions (contract "Running a service"): how long a mark may be recalled. */
  readonly kitchen: { readonly recallWindowS: number };
  /** Kitchen printers (docs/screens.md): screenless time before a fallback, retry cap, write timeout. */
  readonly printing: { readonly fallbackAfterS: number; readonly retryMaxS: number; readonly timeoutMs: number };
}

/**
 * KAFKA_METADATA_MAX_AGE_MS's default: a partition added to the topic is consumed within seconds
 * (kafkajs' own default, 5 minutes, left it unread that long: issue 17). Each refresh is one small
 * metadata request per instance.
 */
export const DEFAULT_METADATA_MAX_AGE_MS = 5_000;

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: string, fallback?: string): string {
  const raw = env[name];
  const v = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  if (v === undefined) throw new ConfigError(`${name} is required but not set`);
  return v;
}

/**
 * The archive job rests after each batch this share of the batch's time (pt-archiver's
 * --sleep-coef, as a percentage). At 50 the bench's day of a chain took 416 s instead of 330 s and
 * the live p99 during it was 2.02× its base instead of 2.38× (docs/throughput.md, the archive
 * under load): a nightly job can take longer, the kitchens' screens cannot.
 */
export const DEFAULT_ARCHIVE_PAUSE_PCT = 50;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

// URLs that may carry a password (mysql://user:secret@host, smtp://user:secret@host) are never
// echoed: a start-up line ends up in logs that more people read than the secret store.
const CREDENTIAL_URLS = new Set(['MYSQL_URL', 'SMTP_URL']);

function url(env: Env, name: string, protocols: readonly string[], fallback?: string): string {
  const v = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    if (CREDENTIAL_URLS.has(name)) {
      throw new ConfigError(`${name} must be a URL like ${protocols[0] ?? ''}//user:password@host:port/... (value not shown: it may hold a password)`);
    }
    throw new ConfigError(`${name} must be a URL, got "${v}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return v.replace(/\/+$/, '');
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function hostPorts(env: Env, name: string, fallback: string): string[] {
  const list = str(env, name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((hp) => !HOST_PORT.test(hp));
  if (list.length === 0 || bad !== undefined) {
    throw new ConfigError(`${name} must be comma-separated host:port pairs, got "${env[name] ?? ''}"`);
  }
  return list;
}

function level(env: Env, name: string, fallback: Level): Level {
  const v = str(env, name, fallback).toLowerCase();
  const found = LEVELS.find((l) => l === v);
  if (found === undefined) throw new ConfigError(`${name} must be one of ${LEVELS.join(', ')}, got "${v}"`);
  return found;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

function emails(env: Env, name: string, fallback?: string): string[] {
  const list = str(env, name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((e) => !EMAIL.test(e));
  if (list.length === 0 || bad !== undefined) {
    throw new ConfigError(`${name} must be comma-separated e-mail addresses, got "${bad ?? ''}"`);
  }
  return list;
}

function secretVar(env: Env, name: string, optional: boolean): string | undefined {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' && optional) return undefined;
  const v = str(env, name);
  const problem = secretProblem(v);
  if (problem !== undefined) throw new ConfigError(`${name} ${problem}; ${GENERATE_HINT}`);
  return v;
}

function bucket(env: Env, name: string, fallback: BucketSpec): BucketSpec {
  return Object.freeze({
    perMinute: int(env, `${name}_PER_MIN`, fallback.perMinute, 0, 1_000_000),
    burst: int(env, `${name}_BURST`, fallback.burst, 0, 1_000_000),
  });
}

function addressList(env: Env, name: string, fallback: string): string[] {
  const v = str(env, name, fallback);
  if (v === 'none') return [];
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((entry) => {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    if (family === 0 || extra !== undefined) return true;
    if (bits === undefined) return false;
    return !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
  });
  if (list.length === 0 || bad !== undefined) {
    throw new ConfigError(`${name} must be comma-separated addresses or CIDR blocks (or "none"), got "${bad ?? v}"`);
  }
  return list;
}

function kdsEnvName(env: Env): string {
  const kdsEnv = str(env, 'KDS_ENV');
  if (!/^[a-z0-9]+$/.test(kdsEnv)) throw new ConfigError(`KDS_ENV must match [a-z0-9]+, got "${kdsEnv}"`);
  return kdsEnv;
}

/** What `npm run token` needs: the environment and secret, and MySQL for device tokens. */
export interface TokenIssuerConfig {
  readonly env: string;
  readonly authSecret: string;
  readonly mysqlUrl: string;
}

export function loadTokenIssuerConfig(env: Env = process.env): TokenIssuerConfig {
  return Object.freeze({
    env: kdsEnvName(env),
    authSecret: secretVar(env, 'KDS_AUTH_SECRET', false) as string,
    mysqlUrl: url(env, 'MYSQL_URL', ['mysql:'], 'mysql://root@127.0.0.1:3306/kds'),
  });
}

function timeZone(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  const zone = canonicalZone(v);
  if (zone === undefined) throw new ConfigError(`${name} must be an IANA time zone such as Europe/Berlin, got "${v}"`);
  return zone;
}

function cronExpr(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  if (!validateCron(v)) throw new ConfigError(`${name} must be a node-cron expression (5 or 6 fields), got "${v}"`);
  return v;
}

export function loadConfig(env: Env = process.env): Config {
  const kdsEnv = kdsEnvName(env);

  const topic = str(env, 'KAFKA_ORDER_TOPIC', `${kdsEnv}_order`);
  if (!topic.startsWith(`${kdsEnv}_`)) {
    throw new ConfigError(
      `KAFKA_ORDER_TOPIC "${topic}" must start with "${kdsEnv}_" (KDS_ENV=${kdsEnv}): ` +
        'a consumer must never read another environment\'s orders',
    );
  }
  const from = str(env, 'KAFKA_FROM_BEGINNING', 'false');
  if (from !== 'true' && from !== 'false') {
    throw new ConfigError(`KAFKA_FROM_BEGINNING must be true or false, got "${from}"`);
  }

  const secret = secretVar(env, 'KDS_AUTH_SECRET', false) as string;

  const zkConnect = hostPorts(env, 'ZOOKEEPER_CONNECT', '127.0.0.1:2181').join(',');
  const zkRoot = str(env, 'ZOOKEEPER_ROOT', `/kds/${kdsEnv}`).replace(/\/+$/, '');
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(zkRoot)) {
    throw new ConfigError(`ZOOKEEPER_ROOT must be an absolute znode path, got "${zkRoot}"`);
  }

  const httpPort = int(env, 'HTTP_PORT', 8080, 0, 65535);

  return Object.freeze({
    env: kdsEnv,
    kafka: Object.freeze({
      brokers: Object.freeze(hostPorts(env, 'KAFKA_BROKERS', '127.0.0.1:9092')),
      topic,
      groupId: str(env, 'KAFKA_GROUP_ID', `${kdsEnv}_kds`),
      fromBeginning: from === 'true',
      sessionTimeoutMs: int(env, 'KAFKA_SESSION_TIMEOUT_MS', 30_000, 6_000, 300_000),
      metadataMaxAgeMs: int(env, 'KAFKA_METADATA_MAX_AGE_MS', DEFAULT_METADATA_MAX_AGE_MS, 1_000, 300_000),
    }),
    mysqlUrl: url(env, 'MYSQL_URL', ['mysql:'], 'mysql://root@127.0.0.1:3306/kds'),
    zookeeper: Object.freeze({ connect: zkConnect, root: zkRoot }),
    orderService: Object.freeze({
      url: url(env, 'ORDER_SERVICE_URL', ['http:', 'https:']),
      timeoutMs: int(env, 'ORDER_SERVICE_TIMEOUT_MS', 2000, 50, 60_000),
    }),
    smtp: Object.freeze({
      url: url(env, 'SMTP_URL', ['smtp:', 'smtps:'], 'smtp://127.0.0.1:1025'),
      to: Object.freeze(emails(env, 'ALERT_EMAIL_TO')),
      from: emails(env, 'ALERT_EMAIL_FROM', 'kds@localhost')[0] as string,
      digestIntervalMs: int(env, 'ALERT_DIGEST_INTERVAL_S', 60, 1, 86_400) * 1000,
    }),
    http: Object.freeze({
      port: httpPort,
      publicUrl: url(env, 'KDS_PUBLIC_URL', ['http:', 'https:'], `http://localhost:${httpPort}`),
    }),
    authSecret: secret,
    limits: Object.freeze({
      apiPerToken: bucket(env, 'LIMIT_API_TOKEN', DEFAULT_RATE_LIMITS.apiPerToken),
      apiPerAddress: bucket(env, 'LIMIT_API_ADDRESS', DEFAULT_RATE_LIMITS.apiPerAddress),
      wsPerToken: bucket(env, 'LIMIT_WS_TOKEN', DEFAULT_RATE_LIMITS.wsPerToken),
      wsPerAddress: bucket(env, 'LIMIT_WS_ADDRESS', DEFAULT_RATE_LIMITS.wsPerAddress),
    }),
    socketCaps: Object.freeze({
      perToken: DEFAULT_SOCKET_CAPS.perToken,
      perAddress: int(env, 'LIMIT_WS_ADDRESS_OPEN', DEFAULT_SOCKET_CAPS.perAddress, 1, 1_000_000),
    }),
    ops: Object.freeze({
      allowFrom: Object.freeze(addressList(env, 'OPS_ALLOW_FROM', '127.0.0.1/8,::1')),
      metricsToken: secretVar(env, 'METRICS_TOKEN', true),
    }),
    retry: Object.freeze({
      cron: cronExpr(env, 'RETRY_CRON', '*/10 * * * * *'),
      backoffBaseMs: int(env, 'RETRY_BACKOFF_BASE_MS', 10_000, 1, 86_400_000),
      maxAttempts: int(env, 'RETRY_MAX_ATTEMPTS', 7, 1, 100),
    }),
    archive: Object.freeze({
      cron: cronExpr(env, 'ARCHIVE_CRON', '0 30 3 * * *'),
      afterDays: int(env, 'ARCHIVE_AFTER_DAYS', 7, 1, 3650),
      boardDays: int(env, 'BOARD_DAYS', 3, 1, 3650),
      pausePercent: int(env, 'ARCHIVE_PAUSE_PCT', DEFAULT_ARCHIVE_PAUSE_PCT, 0, 1000),
    }),
    logLevel: level(env, 'LOG_LEVEL', 'info'),
    stats: Object.freeze({
      defaultTimeZone: timeZone(env, 'MERCHANT_TIME_ZONE', 'UTC'),
      lateAfterS: int(env, 'LATE_AFTER_S', 900, 1, 86_400),
    }),
    kitchen: Object.freeze({ recallWindowS: int(env, 'RECALL_WINDOW_S', 900, 0, 86_400) }),
    printing: Object.freeze({
      fallbackAfterS: int(env, 'PRINT_FALLBACK_AFTER_S', 30, 1, 3600),
      retryMaxS: int(env, 'PRINT_RETRY_MAX_S', 30, 1, 3600),
      timeoutMs: int(env, 'PRINT_TIMEOUT_MS', 5000, 100, 60_000),
    }),
  });
}

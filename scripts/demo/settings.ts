// The demo's knobs (DEMO_* variables) and the KDS environment it runs the service with. Read once
// at start; a bad knob stops the demo with one line naming it, like the service's own config.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { InfraEndpoints } from '../infra';

/**
 * Signs the demo's tokens: a fresh random secret per run (the service refuses well-known ones,
 * and a secret printed in a repository is well known). The banner prints it for
 * `npm run token`; links of an earlier run stop working, like its data (dropped at start).
 */
export function demoAuthSecret(): string {
  return randomBytes(48).toString('base64');
}

export const DEMO_MERCHANT = 'M0001';

export interface DemoSettings {
  simulatorPort: number;
  smtpPort: number;
  inboxPort: number;
  /** Well-formed events per second published by the traffic loop. */
  rate: number;
  merchants: number;
  /** Order-service simulator realism: a lagging replica for a share of the orders, odd 5xx. */
  replicaLagMs: number;
  laggyShare: number;
  errorRate: number;
  /** Keep the previous run's database instead of starting from an empty one. */
  keepDb: boolean;
  robot: boolean;
  /** Dishes younger than this are left for the human at the screen. */
  robotMinAgeMs: number;
  /** Undefined: run until Ctrl-C. */
  durationMs: number | undefined;
  logFile: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class DemoSettingsError extends Error {}

function num(env: Env, name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new DemoSettingsError(`${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

export function demoSettings(env: Env, cwd: string): DemoSettings {
  const duration = num(env, 'DEMO_DURATION_S', 0, 0, 7 * 24 * 3600);
  return {
    simulatorPort: num(env, 'DEMO_SIMULATOR_PORT', 8090, 0, 65535),
    smtpPort: num(env, 'DEMO_SMTP_PORT', 1025, 0, 65535),
    inboxPort: num(env, 'DEMO_INBOX_PORT', 8025, 0, 65535),
    rate: num(env, 'DEMO_RATE', 4, 0.1, 1000, false),
    merchants: num(env, 'DEMO_MERCHANTS', 6, 1, 100),
    replicaLagMs: num(env, 'DEMO_REPLICA_LAG_MS', 300, 0, 60_000),
    laggyShare: num(env, 'DEMO_LAGGY_SHARE', 0.2, 0, 1, false),
    errorRate: num(env, 'DEMO_ERROR_RATE', 0.02, 0, 1, false),
    keepDb: env.DEMO_KEEP_DB?.trim() === '1',
    robot: env.DEMO_ROBOT?.trim() !== '0',
    robotMinAgeMs: num(env, 'DEMO_ROBOT_MIN_AGE_S', 10, 0, 3600) * 1000,
    durationMs: duration > 0 ? duration * 1000 : undefined,
    logFile: `${cwd}/.cache/demo/kds.log`,
  };
}

/**
 * The service's environment: demo defaults first, then whatever the caller's shell sets, so any
 * variable of the contract (HTTP_PORT, MYSQL_URL, RETRY_CRON, …) can still be overridden.
 */
export function kdsEnvironment(
  infra: InfraEndpoints,
  orderServiceUrl: string,
  smtpPort: number,
  shell: Env,
  authSecret: string = demoAuthSecret(),
): Record<string, string | undefined> {
  const defaults: Record<string, string> = {
    KDS_ENV: 'dev',
    KAFKA_BROKERS: infra.kafkaBrokers,
    ZOOKEEPER_CONNECT: infra.zookeeperConnect,
    ORDER_SERVICE_URL: orderServiceUrl,
    // its own database: the demo's orders never mix with a developer's `kds` database
    MYSQL_URL: 'mysql://root@127.0.0.1:3306/kds_demo',
    ALERT_EMAIL_TO: 'developers@kds.local',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    KDS_AUTH_SECRET: authSecret,
    HTTP_PORT: '8080',
    // fast retries so parked events visibly come and go within seconds
    RETRY_CRON: '*/2 * * * * *',
    RETRY_BACKOFF_BASE_MS: '2000',
  };
  return { ...defaults, ...shell };
}

/** True when nothing listens on host:port (checked by binding it for a moment). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

export function isAddrInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

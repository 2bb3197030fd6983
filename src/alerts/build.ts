// The alerts feature's builder: the SMTP mailer (its teardown), the failure digest and the outage
// notices. Both mail the developers (docs/operations.md); the jobs builder ticks them.
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { DEFAULT_BREAKER_OPTIONS } from '../order-service/breaker';
import { createFailureDigest, type FailureDigest } from './digest';
import { createSmtpMailer } from './mailer';
import { createOutageAlerts, type LocalBreaker } from './outage-alerts';

export interface AlertsOptions {
  config: Pick<Config, 'env' | 'smtp' | 'http' | 'retry'>;
  pool: Pool;
  log: Logger;
  teardown: Teardown;
  /** This instance's circuit breaker, whose turns the outage notices report. */
  breaker: LocalBreaker & { onChange(listener: () => void): () => void };
}

export interface Alerts {
  readonly digest: FailureDigest;
  /** Brings the outage notices up to date (mails once down, once back); logs, never throws. */
  readonly syncOutage: () => void;
  /**
   * Reads the cluster's outage record and opens this instance's breaker when another instance has
   * the service down (src/alerts/outage-alerts.ts); logs, never throws.
   */
  readonly observePeers: () => Promise<void>;
}

export function buildAlerts(o: AlertsOptions): Alerts {
  const { config } = o;
  const log = o.log.child({ component: 'alerts' });
  const mailer = createSmtpMailer({ url: config.smtp.url, from: config.smtp.from, to: config.smtp.to });
  o.teardown.add('mailer', () => mailer.close());
  const outage = createOutageAlerts({
    pool: o.pool, mailer, log, envName: config.env,
    breaker: o.breaker, probeIntervalMs: DEFAULT_BREAKER_OPTIONS.probeIntervalMs,
  });
  const digest = createFailureDigest({
    pool: o.pool, mailer, log, envName: config.env,
    apiBaseUrl: config.http.publicUrl, maxAttempts: config.retry.maxAttempts,
    minIntervalMs: config.smtp.digestIntervalMs,
  });
  const syncOutage = (): void => {
    outage.sync().catch((err: unknown) => o.log.error('outage notice sync failed', { err }));
  };
  // subscribed before anything can call the order service: no turn goes unreported
  o.breaker.onChange(syncOutage);
  return {
    digest,
    syncOutage,
    observePeers: () => outage.observePeers().catch((err: unknown) => o.log.warn('shared outage state not read', { err })),
  };
}

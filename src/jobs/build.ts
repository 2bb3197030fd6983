// The scheduled jobs' builder (node-cron, noOverlap): the retry job, the alert mails and the
// archive. Each registers its teardown in that order, so shutdown stops the archive first and the
// retry job last, after one final round. Every instance ticks every job: the retry job claims with
// SKIP LOCKED leases, the alerts and the archive serialize on job_state rows and GET_LOCK.
import cron from 'node-cron';
import { createArchiveJob } from '../archive/job';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import type { Teardown } from '../lifecycle/teardown';
import type { LeaderCheck } from '../cluster/leader';
import type { Logger } from '../log';

/** What the jobs need of the retry worker and the alerts (ports: they run them, nothing more). */
export interface JobTargets {
  retry: { runOnce(): Promise<unknown> };
  digest: { runOnce(): Promise<unknown> };
  syncOutage: () => void;
  /** The cluster's outage view, read before each retry run; never rejects. */
  observePeers: () => Promise<void>;
}

export interface JobsOptions extends JobTargets {
  config: Pick<Config, 'retry' | 'archive'>;
  pool: Pool;
  log: Logger;
  teardown: Teardown;
  /** The singletons (failure digest, archive) run only while this instance leads (docs/scaling.md). */
  leader?: LeaderCheck;
}

export function scheduleJobs(o: JobsOptions): void {
  const { config, log, teardown } = o;
  const retryTask = cron.schedule(
    config.retry.cron,
    () => {
      // the cluster's view first: an outage another instance sees stops this one's calls too
      o.observePeers()
        .then(() => o.retry.runOnce())
        .catch((err: unknown) => log.error('retry run failed', { err }));
    },
    { name: 'retry', noOverlap: true },
  );
  teardown.add('retry job', async () => {
    await retryTask.stop();
    await o.retry.runOnce().catch(() => undefined);
  });

  // Every instance ticks; job_state row locks make one of them send (digest rate-limited inside).
  // The outage sync also refreshes this instance's "still down" mark and retries refused notices.
  const alertTask = cron.schedule(
    '*/15 * * * * *',
    () => {
      if (o.leader?.isLeader() !== false) o.digest.runOnce().catch((err: unknown) => log.error('failure digest failed', { err }));
      o.syncOutage();
      void o.observePeers();
    },
    { name: 'alerts', noOverlap: true },
  );
  teardown.add('alert jobs', () => alertTask.stop());

  const archive = createArchiveJob({ pool: o.pool, log: log.child({ component: 'archive' }), afterDays: config.archive.afterDays, pausePercent: config.archive.pausePercent });
  const archiveTask = cron.schedule(
    config.archive.cron,
    () => {
      if (o.leader?.isLeader() !== false) archive.runOnce().catch((err: unknown) => log.error('archive run failed', { err }));
    },
    { name: 'archive', noOverlap: true },
  );
  teardown.add('archive job', async () => {
    await archiveTask.stop();
    await archive.stop();
  });
}

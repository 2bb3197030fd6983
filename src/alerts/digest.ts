// The failure digest: every FAILED retry entry is mailed to the developers once, grouped into one
// mail per run, at most one mail per `minIntervalMs`.
//
// Exactly once across instances and SMTP outages: the run locks the job_state row
// 'failure_digest' (SKIP LOCKED: a second instance running at the same moment does nothing),
// sends, and only then marks the entries mailed and records the send time, all in the same
// transaction. SMTP down → the send throws, the transaction marks nothing, the next run tries
// again. The one gap is a crash between the SMTP server's "250 OK" and the commit: the mail then
// goes out twice, never zero times.
import { inTx, type Pool } from '../db/pool';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { renderDigest } from './digest-render';
import { describeEntries, markMailed, selectUnmailed } from './digest-sql';
import { ensureJobState, lockJobState, parseJsonObject, saveJobState } from './job-state';
import type { Mailer } from './mailer';

export interface FailureDigestDeps {
  pool: Pool;
  mailer: Mailer;
  log: Logger;
  envName: string;
  /** Where operators reach the HTTP API; used in the curl lines of the mail. */
  apiBaseUrl: string;
  /** RETRY_MAX_ATTEMPTS, for the subject line. */
  maxAttempts: number;
  /** At most one digest per this many ms, so a flood of failures gives a few mails (default 60 s). */
  minIntervalMs?: number;
  /** Entries listed in full; the rest are counted (default 50). */
  maxListed?: number;
  /** Entries one digest covers at most; more go out with the next one (default 5000). */
  maxCovered?: number;
  clock?: () => Date;
}

export type DigestResult =
  | { kind: 'sent'; listed: number; total: number }
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'rate_limited'; nextAt: Date }
  | { kind: 'send_failed'; error: string };

export interface FailureDigest {
  runOnce(): Promise<DigestResult>;
}

const STATE = 'failure_digest';

function lastSentAt(raw: string): Date | undefined {
  const v = parseJsonObject(raw)?.lastSentAt;
  const d = typeof v === 'string' ? new Date(v) : undefined;
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

export function createFailureDigest(deps: FailureDigestDeps): FailureDigest {
  const now = deps.clock ?? (() => new Date());
  const minIntervalMs = deps.minIntervalMs ?? 60_000;
  const maxListed = deps.maxListed ?? 50;
  const maxCovered = deps.maxCovered ?? 5000;
  let ensured = false;

  async function run(): Promise<DigestResult> {
    if (!ensured) {
      await ensureJobState(deps.pool, STATE, '{}');
      ensured = true;
    }
    return inTx(deps.pool, async (conn): Promise<DigestResult> => {
      const raw = await lockJobState(conn, STATE, 'skip');
      if (raw === undefined) return { kind: 'busy' };
      const last = lastSentAt(raw);
      if (last !== undefined && now().getTime() - last.getTime() < minIntervalMs) {
        return { kind: 'rate_limited', nextAt: new Date(last.getTime() + minIntervalMs) };
      }
      const unmailed = await selectUnmailed(conn, maxCovered);
      if (unmailed === undefined) return { kind: 'idle' };
      const total = unmailed.ids.length;
      const entries = await describeEntries(conn, unmailed.ids.slice(0, maxListed));
      const mail = renderDigest(entries, total, {
        envName: deps.envName,
        apiBaseUrl: deps.apiBaseUrl,
        maxAttempts: deps.maxAttempts,
      });
      try {
        await deps.mailer.send(mail);
      } catch (err) {
        // Nothing is marked: the same entries (and any new ones) go out with the next run.
        deps.log.warn('failure digest not sent; will retry', { err: describeError(err), total });
        return { kind: 'send_failed', error: describeError(err) };
      }
      const sentAt = now();
      await markMailed(conn, unmailed, sentAt);
      await saveJobState(conn, STATE, JSON.stringify({ lastSentAt: sentAt.toISOString(), lastTotal: total }));
      deps.log.info('failure digest sent', { total, listed: entries.length });
      return { kind: 'sent', listed: entries.length, total };
    });
  }

  let running: Promise<DigestResult> | undefined;
  return {
    runOnce() {
      // overlapping ticks of one instance join the run in progress
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

// Text of the outage notices. Pure.
import { mailSafe } from './mail-text';
import type { Mail } from './mailer';
import type { LocalView, OutageRender } from './outage-state';

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function outageRender(envName: string, probeIntervalMs: number): OutageRender {
  const tag = `[KDS ${envName}]`;
  return {
    down(v: LocalView, since: Date): Mail {
      const pct = v.calls > 0 ? Math.round((100 * v.failures) / v.calls) : 0;
      return {
        subject: `${tag} order service is DOWN`,
        text: [
          `The order service has been failing for everyone since ${since.toISOString()}.`,
          '',
          `Seen by instance ${mailSafe(v.instance)}: ${v.failures} of ${v.calls} calls failed (${pct}%) in the`,
          `rolling window; last error: ${v.lastError === null ? 'unknown' : mailSafe(v.lastError)}.`,
          '',
          'What the KDS does meanwhile:',
          '- new order events are parked in the retry table (nothing is lost, order is kept);',
          '- the retry job defers parked events without spending their attempts, so none of them',
          '  fails because of this outage;',
          `- one probe call is made every ${duration(probeIntervalMs)}; when one succeeds, the backlog`,
          '  is worked off and a "recovered" mail follows.',
          '',
          'Nothing needs to be done on the KDS side. This is the only mail until it recovers.',
        ].join('\n'),
      };
    },
    recovered(v: LocalView, since: Date, until: Date, reason: 'closed' | 'stale'): Mail {
      const how =
        reason === 'closed'
          ? `A probe call from instance ${mailSafe(v.instance)} succeeded at ${until.toISOString()}.`
          : `No instance has reported the order service down since the last check; the instance that ` +
            'reported it stopped reporting (restarted or stopped).';
      const calls =
        reason === 'closed' && v.rejected + v.probes > 0
          ? [`Instance ${mailSafe(v.instance)} skipped ${v.rejected} call(s) and made ${v.probes} probe(s) during the outage.`]
          : [];
      return {
        subject: `${tag} order service recovered after ${duration(until.getTime() - since.getTime())}`,
        text: [
          `The order service answers again. The outage lasted ${duration(until.getTime() - since.getTime())}`,
          `(${since.toISOString()} to ${until.toISOString()}).`,
          how,
          ...calls,
          '',
          'Events parked during the outage are now worked off by the retry job, in order per order.',
          'Retry entries still FAILED after this (e.g. from before the outage) are listed with',
          'GET /api/retries?status=FAILED.',
        ].join('\n'),
      };
    },
  };
}

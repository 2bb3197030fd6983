// Text of the failure digest. Pure. Written for the developer who reads it on a phone at night:
// what is stuck, what is blocked behind it, and the exact calls that unblock it.
import type { FailedEntry } from './digest-sql';
import type { Mail } from './mailer';
import { mailSafe } from './mail-text';

export interface DigestContext {
  envName: string;
  /** Where operators reach the HTTP API, e.g. http://kds.internal:8080 */
  apiBaseUrl: string;
  maxAttempts: number;
}

const TOKEN_LINE = 'TOKEN=$(npm run -s token -- --role admin | tail -n 1)';

function curl(ctx: DigestContext, method: 'GET' | 'POST', path: string): string {
  const m = method === 'POST' ? '-X POST ' : '';
  return `curl -sS ${m}-H "Authorization: Bearer $TOKEN" '${ctx.apiBaseUrl}${path}'`;
}

function lastError(s: string | null): string {
  return s === null || s === '' ? '(none recorded)' : mailSafe(s.trim());
}

function entryBlock(e: FailedEntry, ctx: DigestContext): string {
  return [
    // ids and the type are checked by src/events/decode.ts, but only the eventId's length is:
    // everything from a record is shown through mailSafe
    `#${e.id}  order ${mailSafe(e.orderId)}  merchant ${mailSafe(e.merchantId)}`,
    `  event:      ${mailSafe(e.eventId)} ${mailSafe(e.eventType)} (version ${e.eventVersion})`,
    `  attempts:   ${e.attempts}, failed at ${e.failedAt.toISOString()}`,
    `  last error: ${lastError(e.lastError)}`,
    `  waiting behind it: ${e.waitingBehind} event(s) of this order`,
    `  on the console: ${ctx.apiBaseUrl}/ops#retry-${e.id}`,
    `  replay:     ${curl(ctx, 'POST', `/api/retries/${e.id}/replay`)}`,
    `  discard:    ${curl(ctx, 'POST', `/api/retries/${e.id}/discard`)}`,
  ].join('\n');
}

export function renderDigest(entries: readonly FailedEntry[], total: number, ctx: DigestContext): Mail {
  const blocked = entries.reduce((n, e) => n + e.waitingBehind, 0);
  const subject =
    `[KDS ${ctx.envName}] ${total} order event${total === 1 ? '' : 's'} FAILED after ` +
    `${ctx.maxAttempts} attempts`;
  const lines = [
    `${total} event${total === 1 ? '' : 's'} in the retry table gave up and wait for a decision.`,
    'Each one blocks the later events of its order (they are applied in order, after it).',
    blocked > 0 ? `The entries listed below hold back ${blocked} later event(s).` : '',
    '',
    'Replay runs an entry again now (use it once the cause is fixed); discard drops it (kept for',
    'audit as DISCARDED) and releases the events behind it. Get an admin token first:',
    `  ${TOKEN_LINE}`,
    `Or on the on-call console (it asks for the token once): ${ctx.apiBaseUrl}/ops#retries`,
    '',
    ...entries.map((e) => entryBlock(e, ctx) + '\n'),
  ];
  if (total > entries.length) {
    lines.push(`… and ${total - entries.length} more not listed here. All FAILED entries:`);
    lines.push(`  ${curl(ctx, 'GET', '/api/retries?status=FAILED')}`);
  } else {
    lines.push(`All FAILED entries: ${curl(ctx, 'GET', '/api/retries?status=FAILED')}`);
  }
  return { subject, text: lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n') };
}

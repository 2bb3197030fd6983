// The states of a queue's entries and the SQL fragments that read queue state, defined once: every
// statement on retry_entries or order_guards, here or in another feature (operator views, the
// failure digest, the archive, metrics), takes its status names and its "head", "blocked" and
// "waiting behind" conditions from this file.
//
//   PENDING    waiting: the head is due on the backoff schedule, the entries behind it are not due
//   FAILED     gave up (attempts used up, or a permanent failure): waits for an operator
//   DONE       applied (or found already applied)
//   DISCARDED  dropped by an operator
// PENDING and FAILED are **open**: while an order has an open entry, it is blocked.

export const ENTRY_STATUSES = ['PENDING', 'FAILED', 'DONE', 'DISCARDED'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];
export const OPEN_STATUSES = ['PENDING', 'FAILED'] as const satisfies readonly EntryStatus[];
export const CLOSED_STATUSES = ['DONE', 'DISCARDED'] as const satisfies readonly EntryStatus[];

export function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/** A status as an SQL literal (`status = ${sqlStatus('FAILED')}`): a typo does not type-check. */
export function sqlStatus(s: EntryStatus): string {
  return `'${s}'`;
}

function sqlStatuses(list: readonly EntryStatus[]): string {
  return `(${list.map(sqlStatus).join(', ')})`;
}

/** `status IN ${OPEN_SQL}` */
export const OPEN_SQL = sqlStatuses(OPEN_STATUSES);
/** `status IN ${CLOSED_SQL}` */
export const CLOSED_SQL = sqlStatuses(CLOSED_STATUSES);

/** SQL condition true when entry `e` has no open entry of its order ahead of it. */
export const IS_HEAD_SQL = (e: string): string =>
  `NOT EXISTS (SELECT 1 FROM retry_entries ahead WHERE ahead.order_id = ${e}.order_id
                 AND ahead.queue_pos < ${e}.queue_pos AND ahead.status IN ${OPEN_SQL})`;

/**
 * SQL expression: how many entries of `e`'s order wait behind it (PENDING, later in the queue),
 * i.e. are blocked until `e` is decided. An index lookup on retry_entries_order_pos.
 */
export const WAITING_BEHIND_SQL = (e: string): string =>
  `(SELECT COUNT(*) FROM retry_entries behind
     WHERE behind.order_id = ${e}.order_id AND behind.queue_pos > ${e}.queue_pos AND behind.status = ${sqlStatus('PENDING')})`;

/** SQL condition true when order `o` (an alias of a table with order_id) has no open queue. */
export const NOT_BLOCKED_SQL = (o: string): string =>
  `NOT EXISTS (SELECT 1 FROM order_guards g WHERE g.order_id = ${o}.order_id AND g.open_entries > 0)`;

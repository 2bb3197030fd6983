// Values made to fit their columns, where the value is informational and losing its tail (or its
// exactness) beats the database refusing the whole write for ever (errno 1406, 1292). Pure.
//
// Text: MySQL limits TEXT to 65,535 *bytes*, and with utf8mb4 a character takes up to 4: slicing by
// characters (String#slice) can still overflow.

export const TEXT_BYTES = 65_535;

/** The longest prefix of `s` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function truncateBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // back off continuation bytes (10xxxxxx) so the cut falls on a character boundary
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return buf.subarray(0, end).toString('utf8');
}

/** Like truncateBytes, marking the cut so a reader knows the text is not whole. */
export function clipText(s: string, maxBytes: number = TEXT_BYTES): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const mark = ' …[truncated]';
  return truncateBytes(s, maxBytes - Buffer.byteLength(mark)) + mark;
}

const MIN_DATETIME = Date.UTC(1000, 0, 1);
const MAX_DATETIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A time for a DATETIME column, clamped to its range (years 1000-9999). RFC 3339 allows year 0000,
 * and '0000-01-01T00:00:00+00:01' is even earlier in UTC: as an event's occurredAt it is kept
 * exactly in the raw event, and only the informational column is clamped.
 */
export function storableDate(d: Date): Date {
  const t = d.getTime();
  if (Number.isNaN(t)) return new Date(MIN_DATETIME);
  return new Date(Math.min(MAX_DATETIME, Math.max(MIN_DATETIME, t)));
}

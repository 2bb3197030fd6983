// Which day partitions the change log should have and which may leave it: pure, so the calendar
// arithmetic is tested without a server (test/unit/log-days.test.ts).
//
// A partition is named after the first instant it does NOT hold, `lt20261204` (UTC day), and
// holds everything from the previous partition's bound up to that one; `pmax` holds the rest. Days
// are UTC days because created_at is UTC (src/db/pool.ts); a merchant's local midnight plays no
// part here: the archive horizon is days, not a local calendar.

const DAY_MS = 86_400_000;

/**
 * Days after today that have their own partition already, so rows never have to be split out of
 * pmax (a copy while the table's writers wait) unless the job has not run for this many days.
 * Migration 150 makes the same days.
 */
export const AHEAD_DAYS = 3;

export const MAX_PARTITION = 'pmax';

export function dayStart(t: Date): Date {
  return new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
}

export function partitionName(before: Date): string {
  return `lt${before.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The partition of the day before `before`, as ALTER TABLE … PARTITION lists it. */
export function partitionClause(before: Date): string {
  return `PARTITION ${partitionName(before)} VALUES LESS THAN ('${before.toISOString().slice(0, 10)} 00:00:00')`;
}

/** The bound a partition name stands for; undefined for pmax and for names not ours. */
export function partitionBound(name: string): Date | undefined {
  const m = /^lt(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m === null ? undefined : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/**
 * The bounds to split out of pmax so that today and the `ahead` days after it each have their own
 * partition. When the last bound is before today (a new table, or a job that has not run for a
 * while), the first new partition takes everything up to today: the rows already there are
 * split once, however many days they span.
 */
export function boundsToAdd(existing: readonly Date[], now: Date, ahead = AHEAD_DAYS): Date[] {
  const today = dayStart(now).getTime();
  const last = existing.length === 0 ? undefined : Math.max(...existing.map((d) => d.getTime()));
  const out: Date[] = [];
  for (let b = last === undefined || last < today ? today : last + DAY_MS; b <= today + (ahead + 1) * DAY_MS; b += DAY_MS) out.push(new Date(b));
  return out;
}

/**
 * The change log moves whole days only: entries older than the start of the cutoff's UTC day.
 * So an entry stays in the live table up to a day longer than the horizon, and every night's move
 * is whole partitions, never the rows of a day split by the hour the job runs at.
 */
export function logCutoff(cutoff: Date): Date {
  return dayStart(cutoff);
}

/** The partitions that hold only entries older than `logCutoff`, oldest first. */
export function wholeDaysBefore(names: readonly string[], logCut: Date): string[] {
  return names
    .map((name) => ({ name, before: partitionBound(name) }))
    .filter((p): p is { name: string; before: Date } => p.before !== undefined && p.before.getTime() <= logCut.getTime())
    .sort((a, b) => a.before.getTime() - b.before.getTime())
    .map((p) => p.name);
}

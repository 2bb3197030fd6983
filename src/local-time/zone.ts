// Local days and hours of a merchant's IANA time zone, with Intl only (no tz database of our own).
// Pure. A local day is not always 24 hours: a daylight-saving day has 23 or 25, and in a few zones
// the clock skips midnight itself, so a day's start is searched, never computed as "00:00 local".
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The canonical name of an IANA zone ("utc" → "UTC"), or undefined when Intl does not know it. */
export function canonicalZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(at: Date, zone: string): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, hour: p.hour ?? 0, minute: p.minute ?? 0, second: p.second ?? 0 };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** YYYY-MM-DD of the instant in the zone. */
export function localDate(at: Date, zone: string): string {
  const p = localParts(at, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

export interface LocalHour {
  /** the local clock hour, 0-23 (on a 25-hour day one of them comes twice) */
  hour: number;
  /** the instant this local hour began */
  startsAt: Date;
}

/** The local hour the instant falls in. Offsets are whole minutes in every zone in use today. */
export function localHour(at: Date, zone: string): LocalHour {
  return hourOf(at, localParts(at, zone));
}

function hourOf(at: Date, p: LocalParts): LocalHour {
  const startsAt = new Date(at.getTime() - (p.minute * 60 + p.second) * 1000 - at.getUTCMilliseconds());
  return { hour: p.hour, startsAt };
}

/**
 * localDate and localHour of one instant from one formatting: Intl's formatToParts was ~2 % of the
 * pipeline's CPU when every new order formatted its placedAt twice (issue 20 profile).
 */
export function localDateAndHour(at: Date, zone: string): { date: string } & LocalHour {
  const p = localParts(at, zone);
  const h = hourOf(at, p);
  return { date: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`, hour: h.hour, startsAt: h.startsAt };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(s: string): boolean {
  const m = DATE.exec(s);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The date `n` days after `date` (negative: before). Calendar arithmetic, no zone involved. */
export function addDays(date: string, n: number): string {
  const m = DATE.exec(date);
  if (m === null) throw new Error(`not a date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

const MINUTE = 60_000;

/**
 * The first instant of the local date in the zone. Local dates grow monotonically with time, so a
 * binary search over minutes within ±15 h of UTC midnight finds it (offsets span -12 h to +14 h).
 */
export function dayStart(date: string, zone: string): Date {
  const m = DATE.exec(date);
  if (m === null) throw new Error(`not a date: ${date}`);
  const utcMidnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  let lo = utcMidnight / MINUTE - 15 * 60; // local date before `date`
  let hi = utcMidnight / MINUTE + 15 * 60; // local date is `date` or later
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid * MINUTE), zone) < date) lo = mid;
    else hi = mid;
  }
  return new Date(hi * MINUTE);
}

/** Every local hour of the date, in order: 24 of them, or 23 / 25 on a daylight-saving day. */
export function dayHours(date: string, zone: string): LocalHour[] {
  const end = dayStart(addDays(date, 1), zone).getTime();
  const hours: LocalHour[] = [];
  let t = dayStart(date, zone).getTime();
  while (t < end) {
    const h = localHour(new Date(t), zone);
    hours.push({ hour: h.hour, startsAt: new Date(t) });
    const next = localHour(new Date(t + 3_600_000), zone).startsAt.getTime();
    t = next > t ? next : t + 3_600_000;
  }
  return hours;
}

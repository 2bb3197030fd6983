// The stats reads behind the API: a day with last week's same weekday, a range of daily figures
// (trend, CSV). Only the aggregate tables are read, never dishes.
import type { Connection } from 'mysql2/promise';
import { addDays } from '../local-time/zone';
import { assembleDay, dayFigures, recorded, type DayFigures, type DayStats } from './assemble';
import { selectDays } from './sql/select-days';

export async function readDayStats(db: Connection, merchantId: string, date: string, timeZone: string): Promise<DayStats> {
  const weekBefore = addDays(date, -7);
  const rows = await selectDays(db, merchantId, weekBefore, date);
  // last week's object has the same shape; its own lastWeek is not followed further
  const lastWeek = recorded(rows, weekBefore) ? { ...assembleDay(merchantId, weekBefore, timeZone, rows), lastWeek: null } : null;
  return { ...assembleDay(merchantId, date, timeZone, rows), lastWeek };
}

export interface DailyRow extends DayFigures {
  date: string;
}

/** One row per local date from..to, zeros where nothing was recorded. */
export async function readDaily(db: Connection, merchantId: string, from: string, to: string): Promise<DailyRow[]> {
  const rows = await selectDays(db, merchantId, from, to);
  const out: DailyRow[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ date: d, ...dayFigures(rows, d) });
  return out;
}

import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface StationDayRow { local_date: string; station: string; dishes: number; served: number; cancelled: number; late: number }
export interface HourRow { local_date: string; hour_start: Date; local_hour: number; orders: number; dishes: number }
export interface BucketRow { local_date: string; station: string; metric: 'T' | 'S'; bucket: number; n: number }

export interface DayRows {
  stations: StationDayRow[];
  hours: HourRow[];
  buckets: BucketRow[];
}

const D = "DATE_FORMAT(local_date, '%Y-%m-%d') AS local_date";

/** A merchant's aggregate rows for local dates from..to (inclusive): primary-key ranges only. */
export async function selectDays(db: Connection, merchantId: string, from: string, to: string): Promise<DayRows> {
  const p = [merchantId, from, to];
  const [stations] = await db.query<RowDataPacket[]>(
    `SELECT ${D}, station, dishes, served, cancelled, late FROM stats_station_days
      WHERE merchant_id = ? AND local_date BETWEEN ? AND ?`, p);
  const [hours] = await db.query<RowDataPacket[]>(
    `SELECT ${D}, hour_start, local_hour, orders, dishes FROM stats_hours
      WHERE merchant_id = ? AND local_date BETWEEN ? AND ?`, p);
  const [buckets] = await db.query<RowDataPacket[]>(
    `SELECT ${D}, station, metric, bucket, n FROM stats_time_buckets
      WHERE merchant_id = ? AND local_date BETWEEN ? AND ? AND n <> 0`, p);
  const num = (v: unknown): number => Number(v);
  return {
    stations: stations.map((r) => ({
      local_date: String(r.local_date), station: String(r.station), dishes: num(r.dishes), served: num(r.served),
      cancelled: num(r.cancelled), late: num(r.late),
    })),
    hours: hours.map((r) => ({
      local_date: String(r.local_date), hour_start: r.hour_start as Date, local_hour: num(r.local_hour), orders: num(r.orders), dishes: num(r.dishes),
    })),
    buckets: buckets.map((r) => ({
      local_date: String(r.local_date), station: String(r.station), metric: r.metric as 'T' | 'S', bucket: num(r.bucket), n: num(r.n),
    })),
  };
}

import type { Connection, RowDataPacket } from 'mysql2/promise';
import { COMPLETED_GRACE_MINUTES } from './select-board-orders';

export interface AllDayLine {
  name: string;
  station: string | null;
  waiting: number;
  ready: number;
  /** portions held (not fired): not counted in `waiting` */
  held: number;
}

interface AllDayRow extends RowDataPacket {
  name: string;
  station: string | null;
  waiting: string | number;
  ready: string | number;
  held: string | number;
}

/**
 * All-day counts: open portions (sum of quantities) per dish name and station over the orders the
 * boards show (same horizon, same COMPLETED rule), most waiting first. Walks index dishes_board
 * (merchant_id, state, placed_at) like the board.
 */
export async function selectAllDay(
  db: Connection,
  merchantId: string,
  boardDays: number,
  station?: string,
): Promise<AllDayLine[]> {
  const [rows] = await db.query<AllDayRow[]>(
    `SELECT d.name, d.station,
            SUM(CASE WHEN d.state = 'WAITING' AND d.held = 0 THEN d.quantity ELSE 0 END) AS waiting,
            SUM(CASE WHEN d.state = 'READY' THEN d.quantity ELSE 0 END) AS ready,
            SUM(CASE WHEN d.state = 'WAITING' AND d.held = 1 THEN d.quantity ELSE 0 END) AS held
       FROM dishes d
       JOIN orders o ON o.order_id = d.order_id
      WHERE d.merchant_id = ?
        AND d.state IN ('WAITING', 'READY')
        AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
        AND (? IS NULL OR d.station = ?)
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)
      GROUP BY d.name, d.station
      ORDER BY waiting DESC, ready DESC, held DESC, d.name, d.station`,
    [merchantId, boardDays, station ?? null, station ?? null, COMPLETED_GRACE_MINUTES],
  );
  return rows.map((r) => ({ name: r.name, station: r.station, waiting: Number(r.waiting), ready: Number(r.ready), held: Number(r.held) }));
}

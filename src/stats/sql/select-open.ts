import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface OpenByStation { station: string | null; waiting: number; ready: number; late: number; oldestWaitingAt: Date | null }
export interface LateDish { itemId: string; orderId: string; ticketNo: number | null; name: string; station: string | null; placedAt: Date }

/**
 * Open dishes of a merchant per station (the board's index range: dishes_board on merchant, state,
 * placed_at; the same horizon as the board). `late`: WAITING since before `lateBefore`.
 */
export async function selectOpenByStation(db: Connection, merchantId: string, boardDays: number, lateBefore: Date): Promise<OpenByStation[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT station, SUM(state = 'WAITING') AS waiting, SUM(state = 'READY') AS ready,
            SUM(state = 'WAITING' AND placed_at < ?) AS late, MIN(IF(state = 'WAITING', placed_at, NULL)) AS oldest
       FROM dishes
      WHERE merchant_id = ? AND state IN ('WAITING', 'READY') AND placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
      GROUP BY station ORDER BY station`,
    [lateBefore, merchantId, boardDays],
  );
  return rows.map((r) => ({
    station: r.station as string | null, waiting: Number(r.waiting), ready: Number(r.ready), late: Number(r.late),
    oldestWaitingAt: r.oldest as Date | null,
  }));
}

/** The oldest late WAITING dishes, at most `limit`. */
export async function selectLateDishes(db: Connection, merchantId: string, boardDays: number, lateBefore: Date, limit: number): Promise<LateDish[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT d.item_id, d.order_id, o.ticket_no, d.name, d.station, d.placed_at
       FROM dishes d JOIN orders o ON o.order_id = d.order_id
      WHERE d.merchant_id = ? AND d.state = 'WAITING' AND d.placed_at < ? AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
      ORDER BY d.placed_at, d.item_id LIMIT ?`,
    [merchantId, lateBefore, boardDays, limit],
  );
  return rows.map((r) => ({
    itemId: String(r.item_id), orderId: String(r.order_id), ticketNo: r.ticket_no === null ? null : Number(r.ticket_no),
    name: String(r.name), station: r.station as string | null, placedAt: r.placed_at as Date,
  }));
}

// Which orders are on a merchant's board: the condition the board's statement
// (./select-board-snapshot.ts) puts on `orders o`.

/** An order COMPLETED upstream leaves the boards this long after the KDS applied it, open dishes or not. */
export const COMPLETED_GRACE_MINUTES = 30;

/**
 * Orders of a merchant placed within the last `boardDays` days that still have a fired WAITING or a
 * READY dish (a held dish does not count as waiting: contract "Kitchen workflows") (at `station`,
 * when given). An order the order system COMPLETED stays only COMPLETED_GRACE_MINUTES: nobody
 * tapped its last dishes, but the guests have paid and left, so it must not crowd the screens for
 * days (its dishes keep their states: the figures stay honest about what was never marked). The
 * inner query walks index dishes_board (merchant_id, state, placed_at, station, order_id): two
 * short ranges, one per open state, so the cost follows the open dishes, not the merchant's history.
 */
export function boardOrdersWhere(merchantId: string, boardDays: number, station?: string): { sql: string; params: unknown[] } {
  return {
    sql: `o.order_id IN (
              SELECT d.order_id
                FROM dishes d
               WHERE d.merchant_id = ?
                 AND d.state IN ('WAITING', 'READY')
                 AND (d.held = 0 OR d.state = 'READY')
                 AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
                 AND (? IS NULL OR d.station = ?))
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)`,
    params: [merchantId, boardDays, station ?? null, station ?? null, COMPLETED_GRACE_MINUTES],
  };
}

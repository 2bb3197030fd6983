import type { RowDataPacket } from 'mysql2/promise';
import type { SqlStatement } from '../../db/batch';
import type { Contribution } from '../contribution';

export interface SubjectRow {
  kind: 'D' | 'O';
  id: string;
  merchant_id: string;
  station: string | null;
  state: string | null;
  placed_at: Date;
  ready_at: Date | null;
  served_at: Date | null;
  /** contract "Kitchen workflows": when the kitchen could start it (null while held), and its target */
  fired_at: Date | null;
  due_at: Date | null;
  /** null for an order stored before local days were kept (migration 060 numbered those) */
  local_date: string | null;
  local_hour: number | null;
  hour_start: Date | null;
  mark: Contribution | undefined;
}

/** The mark columns' places in an order's row of the UNION (orders have no mark). */
const NO_MARK_COLS = `NULL AS m_merchant_id, NULL AS m_local_date, NULL AS m_hour_start, NULL AS m_local_hour, NULL AS m_station,
  NULL AS m_served, NULL AS m_cancelled, NULL AS m_late, NULL AS m_ticket_s, NULL AS m_serve_s`;

const MARK_COLS = `m.merchant_id AS m_merchant_id, DATE_FORMAT(m.local_date, '%Y-%m-%d') AS m_local_date, m.hour_start AS m_hour_start,
  m.local_hour AS m_local_hour, m.station AS m_station, m.served AS m_served, m.cancelled AS m_cancelled, m.late AS m_late,
  m.ticket_s AS m_ticket_s, m.serve_s AS m_serve_s`;

/**
 * The changed dishes as stored now (this transaction's writes included; their rows are locked by
 * the writer, so no one else changes them or their marks meanwhile), each with its current
 * contribution, and the orders numbered by this transaction, which have none (an order is counted
 * once, where it is numbered): one statement, which the unit of work sends with its read-back (null
 * when there is nothing to record); its rows are mapped by subjectRows.
 */
export function subjectsStatement(itemIds: readonly string[], numberedOrderIds: readonly string[]): SqlStatement | null {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (itemIds.length > 0) {
    parts.push(`SELECT 'D' AS kind, d.item_id AS id, d.merchant_id, d.station, d.state, d.placed_at, d.ready_at, d.served_at, d.fired_at, d.due_at,
                       DATE_FORMAT(o.local_date, '%Y-%m-%d') AS local_date, o.local_hour, o.hour_start, ${MARK_COLS}
                  FROM dishes d
                  JOIN orders o ON o.order_id = d.order_id
                  LEFT JOIN stats_marks m ON m.kind = 'D' AND m.id = d.item_id
                 WHERE d.item_id IN (?)`);
    params.push(itemIds);
  }
  if (numberedOrderIds.length > 0) {
    parts.push(`SELECT 'O' AS kind, o.order_id AS id, o.merchant_id, NULL AS station, NULL AS state, o.placed_at, NULL AS ready_at,
                       NULL AS served_at, NULL AS fired_at, NULL AS due_at, DATE_FORMAT(o.local_date, '%Y-%m-%d') AS local_date, o.local_hour, o.hour_start,
                       ${NO_MARK_COLS}
                  FROM orders o
                 WHERE o.order_id IN (?)`);
    params.push(numberedOrderIds);
  }
  if (parts.length === 0) return null;
  return { sql: parts.join(' UNION ALL '), values: params };
}

export function subjectRows(rows: readonly RowDataPacket[]): SubjectRow[] {
  return rows.map((r) => ({
    kind: r.kind as 'D' | 'O',
    id: String(r.id),
    merchant_id: String(r.merchant_id),
    station: r.station as string | null,
    state: r.state as string | null,
    placed_at: r.placed_at as Date,
    ready_at: r.ready_at as Date | null,
    served_at: r.served_at as Date | null,
    fired_at: r.fired_at as Date | null,
    due_at: r.due_at as Date | null,
    local_date: r.local_date as string | null,
    local_hour: r.local_hour === null ? null : Number(r.local_hour),
    hour_start: r.hour_start as Date | null,
    mark: r.m_merchant_id === null ? undefined : {
      kind: r.kind as 'D' | 'O',
      id: String(r.id),
      merchantId: String(r.m_merchant_id),
      localDate: String(r.m_local_date),
      hourStart: r.m_hour_start as Date,
      localHour: Number(r.m_local_hour),
      station: String(r.m_station),
      served: Number(r.m_served),
      cancelled: Number(r.m_cancelled),
      late: Number(r.m_late),
      ticketS: r.m_ticket_s === null ? null : Number(r.m_ticket_s),
      serveS: r.m_serve_s === null ? null : Number(r.m_serve_s),
    },
  }));
}

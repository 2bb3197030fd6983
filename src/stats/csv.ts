// Daily figures as CSV (RFC 4180, header row). Pure.
import type { DailyRow } from './read';

const HEADER = ['date', 'orders', 'dishes', 'served', 'cancelled', 'late', 'ticket_p50_s', 'ticket_p90_s', 'serve_p50_s', 'serve_p90_s'];

const cell = (v: number | string | null): string => (v === null ? '' : String(v));

export function dailyCsv(rows: readonly DailyRow[]): string {
  const lines = [HEADER.join(',')];
  for (const r of rows) {
    lines.push([
      r.date, r.orders, r.dishes, r.served, r.cancelled, r.late,
      r.ticketSeconds.p50, r.ticketSeconds.p90, r.serveSeconds.p50, r.serveSeconds.p90,
    ].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

// Daily figures as CSV (RFC 4180, header row). Pure.
//
// The header is in the language asked for (`?lang=` of GET …/stats/daily.csv; the dashboard asks
// for its own): `en`, the default, is the documented machine header below, unchanged; `zh-CN`
// names the columns as the dashboard's Chinese catalogue does, and starts with a UTF-8 byte order
// mark, without which Excel on a Chinese Windows reads the file as GBK and shows mojibake.
import type { PageLanguage } from '../merchant-settings/language';
import type { DailyRow } from './read';

const HEADERS: Record<PageLanguage, readonly string[]> = {
  en: ['date', 'orders', 'dishes', 'served', 'cancelled', 'late', 'ticket_p50_s', 'ticket_p90_s', 'serve_p50_s', 'serve_p90_s'],
  'zh-CN': ['日期', '订单数', '菜品数', '已上菜', '已取消', '超时', '出餐用时中位数（秒）', '出餐用时P90（秒）', '上菜用时中位数（秒）', '上菜用时P90（秒）'],
};
const BOM: Record<PageLanguage, string> = { en: '', 'zh-CN': '\ufeff' };

const cell = (v: number | string | null): string => (v === null ? '' : String(v));

export function dailyCsv(rows: readonly DailyRow[], lang: PageLanguage = 'en'): string {
  const lines = [HEADERS[lang].join(',')];
  for (const r of rows) {
    lines.push([
      r.date, r.orders, r.dishes, r.served, r.cancelled, r.late,
      r.ticketSeconds.p50, r.ticketSeconds.p90, r.serveSeconds.p50, r.serveSeconds.p90,
    ].map(cell).join(','));
  }
  return `${BOM[lang]}${lines.join('\r\n')}\r\n`;
}

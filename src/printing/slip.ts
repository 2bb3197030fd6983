// What a kitchen slip says and how it is laid out on 32 or 48 columns (pure). A CJK character
// takes two columns on an ESC/POS printer, a double-size line twice as many again, so widths
// are counted per character, not per string length.
//
// Names and notes come from the guest and the till (any Unicode, no length limit in the order
// service's contract): control characters are dropped (an ESC or GS in a note would be a printer
// command, GS V a paper cut), and each field has a line budget, so a 64 KB note costs a few lines
// ending in "...", not a metre of paper. Markup is printed as the text it is: paper runs no HTML.
import type { PageLanguage } from '../merchant-settings/language';
import { platformName, slipText } from './slip-text';

export interface SlipDish {
  name: string;
  quantity: number;
  note: string | null;
}

export interface Slip {
  merchantId: string;
  station: string;
  ticketNo: number | null;
  orderId: string;
  /** null: no table (take-away or delivery) */
  tableNo: string | null;
  /** DINE_IN, TAKEAWAY or DELIVERY (contract "Kitchen workflows"); null or another value reads as the page does */
  channel: string | null;
  /** who carries it (`meituan`, `eleme`, …), printed for take-away and delivery */
  platform: string | null;
  /** when a rider or guest collects it, printed as a clock time in the merchant's zone */
  pickupAt: Date | null;
  /** when the slip is printed, shown in the merchant's zone */
  at: Date;
  timeZone: string;
  /** the merchant's page language: the slip's words are the kitchen page's */
  language: PageLanguage;
  /** printed because no screen of the station is connected (fallback mode) */
  backup: boolean;
  /** a cook asked for it again, or an earlier write of it failed part-way */
  reprint: boolean;
  dishes: readonly SlipDish[];
}

export interface SlipLine {
  text: string;
  /** double width and height (ticket number, dishes) */
  big?: boolean;
  bold?: boolean;
  center?: boolean;
}

export type Columns = 32 | 48;

/** Columns a character takes: 2 for East Asian wide and fullwidth characters, else 1. */
export function charColumns(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  const wide =
    (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

/**
 * Columns a character takes on a printer in Chinese mode (GB18030): every multi-byte character is
 * printed from the Chinese font, full width, so é, · and … take two columns there, not one.
 */
export function gbColumns(ch: string): number {
  return (ch.codePointAt(0) ?? 0) < 0x80 ? 1 : 2;
}

export type Widths = (ch: string) => number;

export function textColumns(s: string, widths: Widths = charColumns): number {
  let n = 0;
  for (const ch of s) n += widths(ch);
  return n;
}

/**
 * Splits text into lines of at most `columns`, never inside a character. It breaks at the last
 * space when what moves down is at most half a line; otherwise (Chinese has no spaces: "  ! 少辣…")
 * it fills the line, rather than leave a line holding only "  !".
 */
export function wrap(text: string, columns: number, indent = '', widths: Widths = charColumns): string[] {
  const out: string[] = [];
  let line = '';
  let width = 0;
  let lastSpace = -1;
  for (const ch of text.replace(/[\r\n\t]+/g, ' ')) {
    const w = widths(ch);
    if (width + w > columns && line !== '') {
      if (lastSpace > 0 && line.slice(0, lastSpace).trim() !== '' && textColumns(line.slice(lastSpace + 1), widths) <= columns / 2) {
        out.push(line.slice(0, lastSpace).trimEnd());
        line = indent + line.slice(lastSpace + 1);
      } else {
        out.push(line);
        line = indent;
      }
      width = textColumns(line, widths);
      lastSpace = -1;
      if (ch === ' ') continue;
    }
    if (ch === ' ') lastSpace = line.length;
    line += ch;
    width += w;
  }
  if (line.trim() !== '') out.push(line);
  return out;
}

/** A field as printable text: line breaks and tabs become spaces, other control and format characters go, runs of spaces are one. */
export function printable(text: string): string {
  return text.replace(/[\r\n\t\v\f\u2028\u2029]/g, ' ').replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/ {2,}/g, ' ').trim();
}

export const MORE = '...';

/**
 * wrap() of at most `maxLines` lines; when the text needed more, the last one ends in "...".
 * Only the start of a long text is looked at: each character takes at least one column, so more
 * than (maxLines + 1) × columns characters can never fit.
 */
export function wrapClipped(text: string, columns: number, maxLines: number, indent = '', widths: Widths = charColumns): string[] {
  const chars = [...text.slice(0, (maxLines + 1) * columns * 2)];
  const head = chars.slice(0, (maxLines + 1) * columns).join('');
  const lines = wrap(head, columns, indent, widths);
  if (lines.length <= maxLines && chars.length <= (maxLines + 1) * columns) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1] ?? '';
  while (last !== '' && textColumns(last, widths) + MORE.length > columns) last = [...last].slice(0, -1).join('');
  kept[maxLines - 1] = last.trimEnd() + MORE;
  return kept;
}

function localParts(at: Date, timeZone: string): { date: string; md: string; hm: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, md: `${get('month')}-${get('day')}`, hm: `${get('hour')}:${get('minute')}` };
}

/** The pickup time as the merchant's clock time; with its month and day when it is not the slip's day. */
export function pickupClock(pickupAt: Date, at: Date, timeZone: string): string {
  const p = localParts(pickupAt, timeZone);
  return p.date === localParts(at, timeZone).date ? p.hm : `${p.md} ${p.hm}`;
}

/** Where the order goes, as the kitchen page's ticket says it: its table, else take-away or delivery, with the platform. */
export function destination(s: Pick<Slip, 'tableNo' | 'channel' | 'platform' | 'language'>): string {
  const text = slipText(s.language);
  const table = s.tableNo === null ? '' : printable(s.tableNo);
  const platform = s.platform === null ? '' : printable(platformName(s.platform));
  if (s.channel === 'DELIVERY') return platform === '' ? text.delivery : `${text.delivery} ${platform}`;
  if (s.channel === 'TAKEAWAY' || table === '') return platform === '' ? text.takeaway : `${text.takeaway} ${platform}`;
  return text.table(table);
}

/** The slip as lines, top to bottom; the paper cut follows the last one. `widths`: gbColumns for a GB18030 printer. */
export function layoutSlip(s: Slip, columns: Columns, widths: Widths = charColumns): SlipLine[] {
  const fit = (text: string, cols: number, maxLines: number, indent = ''): string[] => wrapClipped(text, cols, maxLines, indent, widths);
  const half = columns / 2;
  const rule = '-'.repeat(columns);
  const lines: SlipLine[] = [];
  if (s.backup) lines.push({ text: '*** BACKUP ***', big: true, bold: true, center: true });
  if (s.reprint) lines.push({ text: '*** REPRINT ***', bold: true, center: true });
  for (const t of fit(`${s.merchantId} / ${printable(s.station)}`, columns, 2)) lines.push({ text: t, center: true });
  const ticket = s.ticketNo !== null ? `#${s.ticketNo}` : `#${s.orderId.slice(-4)}`;
  for (const t of fit(`${ticket} ${destination(s)}`, half, 3)) lines.push({ text: t, big: true, bold: true });
  if (s.pickupAt !== null) {
    const pickup = slipText(s.language).pickup(pickupClock(s.pickupAt, s.at, s.timeZone));
    for (const t of fit(pickup, half, 2)) lines.push({ text: t, big: true, bold: true });
  }
  const now = localParts(s.at, s.timeZone);
  lines.push({ text: `${now.date} ${now.hm}` });
  lines.push({ text: rule });
  for (const d of s.dishes) {
    for (const t of fit(`${d.quantity} x ${printable(d.name)}`, half, 3, '  ')) lines.push({ text: t, big: true });
    const note = d.note === null ? '' : printable(d.note);
    if (note !== '') for (const t of fit(`  ! ${note}`, columns, 4, '    ')) lines.push({ text: t, bold: true });
  }
  lines.push({ text: rule });
  for (const t of fit(`order ${s.orderId}`, columns, 2)) lines.push({ text: t });
  return lines;
}

// DOM pieces of the on-call console (./ops.js) that show no text of their own: every string they
// display is handed in by ops.js, from the catalogues (./i18n/) or from the data. A table's string
// cells are data (numbers, ids, names) and marked translate="no"; a cell with a message is an element.
import { el } from './common.js';

export const facts = (pairs) => el('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));

/** Offset, 8 bytes in hex, the same bytes as ASCII: 38 characters a line, narrow enough for a phone. */
export function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 8) {
    const row = Array.from(bytes.subarray(i, i + 8));
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(23, ' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(4, '0')}  ${hex}  ${ascii}`);
  }
  return lines.join('\n');
}

export function table(head, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, head.map(([t, num]) => el('th', { class: num ? 'num' : null }, t)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: head[i]?.[1] ? 'num' : null, translate: typeof c === 'string' ? 'no' : null }, c))))));
}

export function tile(label, value, tone = '') {
  return el('div', { class: `tile ${tone}` }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
}

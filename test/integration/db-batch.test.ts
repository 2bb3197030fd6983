// Statements sent together in one round trip (src/db/batch.ts), on the real server: one result per
// statement in order, values stay data whatever they hold, and a failing statement stops the rest
// and fails the transaction as a whole (nothing of it is kept).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { queryBatch } from '../../src/db/batch';
import { inTx } from '../../src/db/pool';
import { errorKind } from '../../src/errors';
import { freshDatabase, type TestDb } from '../support/db';

describe('statements in one round trip', () => {
  let db: TestDb;
  before(async () => {
    db = await freshDatabase('batch');
    await db.pool.query('CREATE TABLE batch_t (k VARCHAR(64) PRIMARY KEY, v TEXT NOT NULL, n INT NOT NULL)');
  });
  after(async () => db.drop());

  it('answers one result per statement, in order, a single statement included', async () => {
    const results = await inTx(db.pool, (conn) => queryBatch(conn, [
      { sql: 'INSERT INTO batch_t (k, v, n) VALUES ?', values: [[['a', 'x', 1], ['b', 'y', 2]]] },
      { sql: 'UPDATE batch_t SET n = n + ? WHERE k = ?', values: [10, 'a'] },
      { sql: 'SELECT k, n FROM batch_t WHERE k IN (?) ORDER BY k', values: [['a', 'b']] },
    ]));
    assert.equal(results.length, 3);
    assert.equal((results[0] as { affectedRows: number }).affectedRows, 2);
    assert.equal((results[1] as { affectedRows: number }).affectedRows, 1);
    assert.deepEqual((results[2] as RowDataPacket[]).map((r): unknown[] => [r.k, r.n]), [['a', 11], ['b', 2]]);

    const [one] = await inTx(db.pool, (conn) => queryBatch(conn, [{ sql: 'SELECT n FROM batch_t WHERE k = ?', values: ['b'] }]));
    assert.deepEqual((one as RowDataPacket[]).map((r): unknown => r.n), [2]);
    assert.deepEqual(await inTx(db.pool, (conn) => queryBatch(conn, [])), []);
  });

  it('keeps a value that looks like SQL as data', async () => {
    const hostile = "x'); DROP TABLE batch_t; -- \\'; SELECT 1; /*";
    await inTx(db.pool, (conn) => queryBatch(conn, [
      { sql: 'INSERT INTO batch_t (k, v, n) VALUES (?, ?, ?)', values: ['h', hostile, 0] },
      { sql: 'UPDATE batch_t SET n = 1 WHERE v = ?', values: [hostile] },
    ]));
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT v, n FROM batch_t WHERE k = ?', ['h']);
    assert.deepEqual(rows.map((r): unknown[] => [r.v, r.n]), [[hostile, 1]]);
  });

  it('stops at a failing statement and rolls the whole transaction back', async () => {
    const failed = await inTx(db.pool, (conn) => queryBatch(conn, [
      { sql: 'INSERT INTO batch_t (k, v, n) VALUES (?, ?, ?)', values: ['c', 'kept?', 0] },
      { sql: 'INSERT INTO batch_t (k, v, n) VALUES (?, ?, ?)', values: ['d', 'no n', null] },
      { sql: 'INSERT INTO batch_t (k, v, n) VALUES (?, ?, ?)', values: ['e', 'after the failure', 0] },
    ])).then(() => null, (err: unknown) => err);
    assert.ok(failed instanceof Error, 'the batch failed');
    // classified where it entered, like a statement sent alone: bad data, not an outage
    assert.equal(errorKind(failed), 'permanent');
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT k FROM batch_t WHERE k IN ('c', 'd', 'e')");
    assert.deepEqual(rows, []);
  });
});

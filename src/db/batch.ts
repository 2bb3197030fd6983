// Several statements of one transaction in one round trip (the pool opens its sessions with
// multi-statements on, src/db/pool.ts). Each statement is formatted with its own values by the
// driver's escaper, exactly as `conn.query(sql, values)` would send it alone, so batching adds no
// way for data to become SQL. The server runs them in order and stops at the first error, which
// the caller gets (classified like any other, src/db/errors.ts); the transaction is then rolled
// back by its runner (inTx).
import type { Conn } from './pool';

/** One statement and its `?` values, to be sent with others. */
export interface SqlStatement {
  sql: string;
  values: unknown[];
}

/** Runs the statements in order in one round trip; one result per statement (rows or a header). */
export async function queryBatch(conn: Conn, statements: readonly SqlStatement[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  const text = statements.map((s) => conn.format(s.sql, s.values)).join(';\n');
  const [results] = await conn.query(text);
  // one statement answers with its own result, several with an array of them
  return statements.length === 1 ? [results] : (results as unknown[]);
}

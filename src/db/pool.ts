import mysql from 'mysql2/promise';
import { ClassifyingPromise, classifyDbError, isKdsCode } from './errors';

export type Pool = mysql.Pool;
export type Conn = mysql.PoolConnection;

interface CoreConnection {
  query(sql: string, cb: (err: Error | null) => void): void;
  destroy(): void;
}

export interface DbTarget {
  /** URL without the database path: where to connect before the database exists. */
  serverUrl: string;
  database: string;
}

export function parseMysqlUrl(url: string): DbTarget {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'kds';
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`database name "${database}" must match [A-Za-z0-9_]+`);
  u.pathname = '/';
  return { serverUrl: u.toString(), database };
}

/** Creates the database named in the URL if it does not exist yet (contract: MYSQL_URL). */
export async function ensureDatabase(url: string): Promise<void> {
  const { serverUrl, database } = parseMysqlUrl(url);
  const conn = await mysql.createConnection({ uri: serverUrl, Promise: ClassifyingPromise });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await conn.end();
  }
}

/**
 * Sessions run READ COMMITTED (no gap locks between consumers working on different orders; every
 * decision that needs more takes a row lock) and in UTC.
 */
export const POOL_SIZE = 20;

/** Valid on MariaDB 10.x and MySQL 8 alike. */
export const SESSION_SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export function createPool(url: string, connectionLimit = POOL_SIZE): Pool {
  return mysql.createPool({
    uri: url,
    connectionLimit,
    // all DATETIME columns hold UTC
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
    // Without FOUND_ROWS, affectedRows counts rows really changed: an upsert that hit an
    // existing row and changed nothing reports 0, which is how a duplicate is recognised.
    flags: ['-FOUND_ROWS'],
    // Writers send several statements of a transaction in one round trip (src/db/batch.ts); every
    // value still goes through the driver's escaper, never into SQL text.
    multipleStatements: true,
    connectAttributes: { program_name: 'kds' },
    // No async stack capture per query (mysql2 takes an Error stack for every call): measured
    // 10 % of the pipeline's CPU per event (bench/_probe 4,000 events: 13.3 → 11.9 CPU-s). Errors
    // keep their message, code and errno; the caller's frames are still in the awaiting code.
    trace: false,
    // every call's failure leaves the driver classified (src/db/errors.ts): an outage is
    // 'infrastructure' wherever it is met, never a bug
    Promise: ClassifyingPromise,
  }).on('connection', (conn) => {
    // mysql2 types this connection as the promise wrapper, but the event hands out the core
    // (callback) connection. The SETs are queued before any query of ours, so every session
    // starts like this; one that cannot be set up is destroyed and the queries behind fail loudly.
    const core = conn as unknown as CoreConnection;
    const onError = (err: Error | null): void => {
      if (err) core.destroy();
    };
    core.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', onError);
    core.query("SET time_zone = '+00:00'", onError);
    // Pinned, not inherited from the server: strict mode makes a value that does not fit its column
    // an error (classified permanent, src/db/errors.ts) instead of a silent truncation, and the
    // change log's literals are escaped for a session without NO_BACKSLASH_ESCAPES.
    core.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`, onError);
  });
}

/**
 * Opens `n` connections now (mysql2 opens them on demand). A service that starts under load would
 * otherwise open them one by one inside its first transactions: in the latency benchmark the
 * first seconds after start had a p99 several times the steady one.
 */
export async function warmPool(pool: Pool, n: number): Promise<void> {
  const conns = await Promise.all(Array.from({ length: n }, () => pool.getConnection()));
  for (const c of conns) c.release();
}

/** InnoDB chose this transaction as a deadlock victim, or a lock wait timed out: run it again. */
export function isLockConflict(err: unknown): boolean {
  const c = classifyDbError(err);
  return isKdsCode(c, 'mysql_1213') || isKdsCode(c, 'mysql_1205');
}

const TX_ATTEMPTS = 4;

/**
 * Runs fn in a transaction on one connection; rolls back on any throw. A deadlock victim is run
 * again from the start (fn must only touch the database), a few times with a short pause. Database
 * failures leave it classified (src/db/errors.ts).
 */
export async function inTx<T>(pool: Pool, fn: (conn: Conn) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let conn: Conn;
    try {
      conn = await pool.getConnection();
    } catch (err) {
      throw classifyDbError(err);
    }
    try {
      await conn.beginTransaction();
      const out = await fn(conn);
      await conn.commit();
      return out;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if (!isLockConflict(err) || attempt >= TX_ATTEMPTS) throw classifyDbError(err);
    } finally {
      conn.release();
    }
    await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
  }
}

// Every statement on presence_instances and presence_counts (migrations/100_socket_presence.sql,
// 130_presence_left_at.sql).
// Each instance writes only its own rows; times are the database's clock (NOW(3)), so instances
// with skewed clocks still agree on what is fresh.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { queryBatch, type SqlStatement } from '../db/batch';
import { classified } from '../db/errors';

/** A round's writes of this instance's rows, committed together, then what the others hold. */
export interface RoundWrites {
  /** Renew this instance's row (the heartbeat). */
  touch: boolean;
  /** Socket count per key (absolute values, each above 0). */
  counts: ReadonlyArray<readonly [string, number]>;
  /** Remembered keys this instance no longer holds: kept at 0 with the moment the last socket left. */
  left: readonly string[];
  /** Keys this instance no longer holds and nobody asks "since when" about. */
  gone: readonly string[];
  /** Keys whose sockets on the other fresh instances are read once the writes are committed. */
  read: readonly string[];
  freshMs: number;
}

export interface RoundResult {
  /** The touch (re)created our row: every count must be written again (it was swept). */
  recreated: boolean;
  /** Sockets per key held by the other fresh instances (keys of `read` only). */
  others: Map<string, number>;
}

const touchSql = 'INSERT INTO presence_instances (instance_id, seen_at) VALUES (?, NOW(3)) ON DUPLICATE KEY UPDATE seen_at = NOW(3)';

const othersSql = `SELECT c.holder, SUM(c.sockets) AS sockets
       FROM presence_counts c JOIN presence_instances i ON i.instance_id = c.instance_id
      WHERE c.holder IN (?) AND c.instance_id <> ? AND i.seen_at >= NOW(3) - INTERVAL ? MICROSECOND
      GROUP BY c.holder`;

function othersOf(rows: RowDataPacket[]): Map<string, number> {
  return new Map(rows.map((r) => [String(r.holder), Number(r.sockets)]));
}

/**
 * One round trip and one commit for a whole round: the writes in a transaction, then (after its
 * COMMIT, so the others can already see them) the read that decides the admissions waiting. Sent
 * as separate autocommit statements a round cost up to four commits and five round trips, and a
 * screen's upgrade waited for one or two rounds: in the `history` benchmark the upgrade was
 * 20-24 ms of a snapshot's 25-28 ms (p50) under 500 events/s.
 */
export async function writeThenRead(pool: Pool, instanceId: string, w: RoundWrites): Promise<RoundResult> {
  const writes: SqlStatement[] = [];
  if (w.touch) writes.push({ sql: touchSql, values: [instanceId] });
  if (w.counts.length > 0) {
    writes.push({
      sql: 'INSERT INTO presence_counts (holder, instance_id, sockets) VALUES ? ON DUPLICATE KEY UPDATE sockets = VALUES(sockets), left_at = NULL',
      values: [w.counts.map(([holder, n]) => [holder, instanceId, n])],
    });
  }
  if (w.left.length > 0) {
    writes.push({
      sql: `INSERT INTO presence_counts (holder, instance_id, sockets, left_at) VALUES ${w.left.map(() => '(?, ?, 0, NOW(3))').join(', ')}
     ON DUPLICATE KEY UPDATE left_at = IF(sockets > 0 OR left_at IS NULL, VALUES(left_at), left_at), sockets = 0`,
      values: w.left.flatMap((holder) => [holder, instanceId]),
    });
  }
  if (w.gone.length > 0) {
    writes.push({ sql: 'DELETE FROM presence_counts WHERE instance_id = ? AND holder IN (?)', values: [instanceId, w.gone] });
  }
  const statements: SqlStatement[] = writes.length === 0 ? [] : [{ sql: 'START TRANSACTION', values: [] }, ...writes, { sql: 'COMMIT', values: [] }];
  if (w.read.length > 0) statements.push({ sql: othersSql, values: [w.read, instanceId, w.freshMs * 1000] });
  if (statements.length === 0) return { recreated: false, others: new Map() };
  return classified(async () => {
    const conn = await pool.getConnection();
    let results: unknown[];
    try {
      results = await queryBatch(conn, statements);
    } catch (err) {
      // the server stopped at the failing statement, maybe inside the transaction
      await conn.query('ROLLBACK').then(() => conn.release(), () => conn.destroy());
      throw err;
    }
    conn.release();
    return {
      recreated: w.touch && (results[1] as ResultSetHeader).affectedRows === 1,
      others: w.read.length > 0 ? othersOf(results.at(-1) as RowDataPacket[]) : new Map(),
    };
  });
}

/** Sockets per key held by the OTHER instances whose heartbeat is at most `freshMs` old. */
export async function selectOthers(
  pool: Pool, instanceId: string, holders: readonly string[], freshMs: number,
): Promise<Map<string, number>> {
  if (holders.length === 0) return new Map();
  const [rows] = await classified(() => pool.query<RowDataPacket[]>(othersSql, [holders, instanceId, freshMs * 1000]));
  return othersOf(rows);
}

export interface Held {
  /** sockets on the other fresh instances */
  others: number;
  /** microseconds since the key last had a socket on any instance, this one included (null: none on record) */
  idleUs: number | null;
}

/**
 * Per key: the other fresh instances' sockets, and how long ago it last had one anywhere, by the
 * database's clock: a held row was held at its instance's last heartbeat (a killed instance's
 * screens count until then), a remembered row at 0 until its `left_at`.
 */
export async function selectHeld(pool: Pool, instanceId: string, holders: readonly string[], freshMs: number): Promise<Map<string, Held>> {
  const out = new Map<string, Held>();
  if (holders.length === 0) return out;
  const [rows] = await classified(() => pool.query<RowDataPacket[]>(
    `SELECT c.holder,
            SUM(IF(c.instance_id <> ? AND c.sockets > 0 AND i.seen_at >= NOW(3) - INTERVAL ? MICROSECOND, c.sockets, 0)) AS others,
            TIMESTAMPDIFF(MICROSECOND, MAX(IF(c.sockets > 0, i.seen_at, c.left_at)), NOW(3)) AS idle_us
       FROM presence_counts c LEFT JOIN presence_instances i ON i.instance_id = c.instance_id
      WHERE c.holder IN (?)
      GROUP BY c.holder`,
    [instanceId, freshMs * 1000, holders],
  ));
  for (const r of rows) {
    out.set(String(r.holder), { others: Number(r.others), idleUs: r.idle_us === null ? null : Math.max(0, Number(r.idle_us)) });
  }
  return out;
}

/**
 * Leaving: this instance's rows go at once, so its sockets stop counting before the window ends;
 * remembered keys it still held are kept at 0, left now, so "since when" survives a restart.
 */
export async function deleteInstance(pool: Pool, instanceId: string, remembered: readonly string[]): Promise<void> {
  if (remembered.length > 0) {
    await classified(() => pool.query(
      'UPDATE presence_counts SET sockets = 0, left_at = NOW(3) WHERE instance_id = ? AND holder IN (?) AND sockets > 0',
      [instanceId, remembered],
    ));
  }
  await classified(() => pool.query('DELETE FROM presence_counts WHERE instance_id = ? AND left_at IS NULL', [instanceId]));
  await classified(() => pool.query('DELETE FROM presence_instances WHERE instance_id = ?', [instanceId]));
}

/** Rows of instances silent for `staleS` seconds (killed, not stopped): they no longer count anyway. */
export async function sweepStale(pool: Pool, staleS: number): Promise<void> {
  await classified(() => pool.query(
    `DELETE c FROM presence_counts c JOIN presence_instances i ON i.instance_id = c.instance_id
      WHERE i.seen_at < NOW(3) - INTERVAL ? SECOND`,
    [staleS],
  ));
  await classified(() => pool.query('DELETE FROM presence_instances WHERE seen_at < NOW(3) - INTERVAL ? SECOND', [staleS]));
  // remembered keys left that long ago: nobody asks "since when" about an hour
  await classified(() => pool.query('DELETE FROM presence_counts WHERE sockets = 0 AND left_at < NOW(3) - INTERVAL ? SECOND', [staleS]));
}

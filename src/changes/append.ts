// Appends changes to the change log with the next per-merchant seqs, inside the caller's
// transaction. The merchant_seq row lock is held until commit, so transactions of one
// merchant commit in seq order and readers never see a gap (docs/architecture.md, lock order). Only the unit of work
// (./unit-of-work.ts) calls it, last in its transaction, to hold that lock as briefly as possible.
import type { RowDataPacket } from 'mysql2/promise';
import { queryBatch, type SqlStatement } from '../db/batch';
import type { Conn } from '../db/pool';
import type { DishView } from '../views/dish';
import type { OrderView } from '../views/order';

/**
 * The waiters' call a dish change carries: `serve` when the change made the dish READY (take it to
 * the table), `pull` when a READY dish was cancelled (take it off the pass).
 */
export type WaiterCall = 'serve' | 'pull';

/**
 * One change as logged and pushed. Built only by the unit of work, from the rows it reads back
 * (src/changes/read-back.ts): `order` and `dish` are exactly what `GET /api/orders/{id}` shows.
 */
export type Change =
  | { kind: 'order'; order: OrderView }
  | { kind: 'dish'; dish: DishView; call: WaiterCall | null };

/**
 * A payload as an SQL string literal. JSON.stringify leaves no raw control characters (it writes
 * them as \uXXXX), so only backslash and single quote need escaping; the generic escaper also
 * escapes every double quote, ~30 per dish payload. The change log's payloads are 60 % of the SQL
 * text the pipeline sends.
 */
function payloadLiteral(value: unknown): { toSqlString(mode?: { noBackslashEscapes?: boolean }): string } {
  const json = JSON.stringify(value);
  return {
    toSqlString: (mode) => (mode?.noBackslashEscapes === true ? `'${json.replace(/'/g, "''")}'` : `'${json.replace(/[\\']/g, '\\$&')}'`),
  };
}

/**
 * The waiters' call as stored in change_log.serve: 1 = serve, 2 = pull, 0 = none. One column, so
 * the pull keeps the seq of its dish change like the serve does.
 */
export const CALL_SERVE = 1;
export const CALL_PULL = 2;
export function waiterCall(c: Change): number {
  if (c.kind !== 'dish' || c.call === null) return 0;
  return c.call === 'serve' ? CALL_SERVE : CALL_PULL;
}

interface SeqRow extends RowDataPacket {
  merchant_id: string;
  seq: number;
}

/**
 * Appends the changes of several merchants (one transaction may change many): the seq rows
 * are taken in merchant-id order, so two groups never wait on each other in a cycle. Returns the
 * last seq appended per merchant that had changes.
 */
export async function appendChangesOfMerchants(
  conn: Conn,
  byMerchant: ReadonlyMap<string, readonly Change[]>,
  writesFirst: readonly SqlStatement[] = [],
): Promise<Map<string, number>> {
  const logged = [...byMerchant].filter(([, changes]) => changes.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const merchants = logged.map(([m]) => m);
  const last = new Map<string, number>();
  if (merchants.length === 0) {
    await queryBatch(conn, writesFirst);
    return last;
  }
  // Reserve n seqs per merchant (the upsert takes the row lock), then read where each range ends.
  // A multi-row upsert has no per-row result (no RETURNING on MySQL), hence the locked read. The
  // recorders' writes go first in the same round trip: their rows are locked before the seq rows,
  // as before, and a merchant's commits wait on each other for one round trip less.
  // With most merchants in the list the optimizer scans the (small) table, and a locking scan
  // waits for the lock of every row it reads, other groups' merchants included: use the key.
  const results = await queryBatch(conn, [
    ...writesFirst,
    {
      sql: 'INSERT INTO merchant_seq (merchant_id, seq) VALUES ? ON DUPLICATE KEY UPDATE seq = seq + VALUES(seq)',
      values: [logged.map(([m, changes]) => [m, changes.length])],
    },
    { sql: 'SELECT merchant_id, seq FROM merchant_seq FORCE INDEX (PRIMARY) WHERE merchant_id IN (?) FOR UPDATE', values: [merchants] },
  ]);
  const rows = results[results.length - 1] as SeqRow[];
  for (const r of rows) last.set(r.merchant_id, Number(r.seq));

  const values: unknown[][] = [];
  for (const [merchantId, changes] of logged) {
    const end = last.get(merchantId);
    if (end === undefined || !Number.isSafeInteger(end) || end < changes.length) {
      throw new Error(`merchant_seq returned no usable seq for ${merchantId} (${String(end)})`);
    }
    const first = end - changes.length + 1;
    changes.forEach((c, i) => {
      values.push(
        c.kind === 'order'
          ? [merchantId, first + i, 'order', c.order.orderId, null, 0, payloadLiteral(c.order)]
          : [merchantId, first + i, 'dish', c.dish.orderId, c.dish.itemId, waiterCall(c), payloadLiteral(c.dish)],
      );
    });
  }
  await conn.query(
    'INSERT INTO change_log (merchant_id, seq, kind, order_id, item_id, serve, payload) VALUES ?',
    [values],
  );
  return last;
}

/** Told after commit that a merchant's log grew, so local screens are pushed at once. */
export interface ChangeNotifier {
  changed(merchantId: string, seq: number): void;
}

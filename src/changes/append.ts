// Appends changes to the change log with the next per-merchant seqs, inside the caller's
// transaction. The merchant_seq row lock is held until commit, so transactions of one
// merchant commit in seq order and readers never see a gap (design note 6). Only the unit of work
// (./unit-of-work.ts) calls it, last in its transaction, to hold that lock as briefly as possible.
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn } from '../db/pool';

export interface OrderView {
  orderId: string;
  tableNo: string | null;
  status: string;
  version: number;
  /** per merchant and local day, from 1 (src/tickets/); null only for an order not numbered yet */
  ticketNo: number | null;
  placedAt: string;
  /** Set by the rush calls' changes only: the pipeline's changes leave the flag as the screen has it. */
  rush?: boolean;
}

export interface DishView {
  itemId: string;
  orderId: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  state: string;
  updatedAt: string;
  readyAt: string | null;
  servedAt: string | null;
  /** only on added-portion rows (pipeline/dish-plan.ts): the item whose raised quantity they are */
  addedTo?: string;
}

export type Change =
  | { kind: 'order'; order: OrderView }
  | {
      kind: 'dish';
      dish: DishView;
      /** the dish's state before this change; null for a new dish (not logged, for recorders) */
      from: string | null;
      /** this change made the dish READY */
      serve: boolean;
    };

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
 * The waiters' call a dish change carries, stored in change_log.serve: 1 = serve (the change made
 * the dish READY: take it to the table), 2 = pull (a READY dish was cancelled: take it off the
 * pass), 0 = none. One column, so the pull keeps the seq of its dish change like the serve does.
 */
export const CALL_SERVE = 1;
export const CALL_PULL = 2;
export function waiterCall(c: Change): number {
  if (c.kind !== 'dish') return 0;
  if (c.serve) return CALL_SERVE;
  return c.from === 'READY' && c.dish.state === 'CANCELLED' ? CALL_PULL : 0;
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
): Promise<Map<string, number>> {
  const logged = [...byMerchant].filter(([, changes]) => changes.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const merchants = logged.map(([m]) => m);
  const last = new Map<string, number>();
  if (merchants.length === 0) return last;
  // Reserve n seqs per merchant (the upsert takes the row lock), then read where each range ends.
  // A multi-row upsert has no per-row result (no RETURNING on MySQL), hence the locked read.
  await conn.query(
    'INSERT INTO merchant_seq (merchant_id, seq) VALUES ? ON DUPLICATE KEY UPDATE seq = seq + VALUES(seq)',
    [logged.map(([m, changes]) => [m, changes.length])],
  );
  // With most merchants in the list the optimizer scans the (small) table, and a locking scan
  // waits for the lock of every row it reads, other groups' merchants included: use the key.
  const [rows] = await conn.query<SeqRow[]>(
    'SELECT merchant_id, seq FROM merchant_seq FORCE INDEX (PRIMARY) WHERE merchant_id IN (?) FOR UPDATE',
    [merchants],
  );
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

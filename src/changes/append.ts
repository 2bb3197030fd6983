// Appends changes of one merchant to the change log with the next per-merchant seqs, inside the
// caller's transaction. The merchant_seq row lock is held until commit, so transactions of one
// merchant commit in seq order and readers never see a gap (design note 6). Call it last in the
// transaction to hold that lock as briefly as possible.
import type { ResultSetHeader } from 'mysql2/promise';
import type { Conn } from '../db/pool';

export interface OrderView {
  orderId: string;
  tableNo: string | null;
  status: string;
  version: number;
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
}

export type Change =
  | { kind: 'order'; order: OrderView }
  | { kind: 'dish'; dish: DishView; /** this change made the dish READY */ serve: boolean };

/** Returns the seq of the last change appended (0 when there was nothing to append). */
export async function appendChanges(conn: Conn, merchantId: string, changes: readonly Change[]): Promise<number> {
  if (changes.length === 0) return 0;
  const n = changes.length;
  // LAST_INSERT_ID(expr) puts the new seq in the statement's OK packet (insertId): no extra
  // round trip to read it back.
  const [res] = await conn.query<ResultSetHeader>(
    `INSERT INTO merchant_seq (merchant_id, seq) VALUES (?, LAST_INSERT_ID(?))
     ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + ?)`,
    [merchantId, n, n],
  );
  const last = Number(res.insertId);
  if (!Number.isSafeInteger(last) || last < n) throw new Error(`merchant_seq returned no usable seq (${res.insertId})`);
  const first = last - n + 1;
  const values = changes.map((c, i) =>
    c.kind === 'order'
      ? [merchantId, first + i, 'order', c.order.orderId, null, 0, JSON.stringify(c.order)]
      : [merchantId, first + i, 'dish', c.dish.orderId, c.dish.itemId, c.serve ? 1 : 0, JSON.stringify(c.dish)],
  );
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

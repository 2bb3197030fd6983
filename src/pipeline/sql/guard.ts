// The per-order guard row (design note 1): both the consumer and the retry job lock it in the
// transaction that decides "apply" or "park", so the decision and its write are atomic.
import type { RowDataPacket } from 'mysql2/promise';
import type { Conn, Pool } from '../../db/pool';

export interface Guard {
  orderId: string;
  pending: number;
  tailPos: number;
}

export interface LockedGuard extends Guard {
  /** The applied version of the order, read under the same lock; 0 when the order is unknown. */
  storedVersion: number;
}

export interface OrderRef {
  orderId: string;
  merchantId: string;
}

interface GuardRow extends RowDataPacket {
  order_id: string;
  pending: number;
  tail_pos: number;
  version: number | null;
}

/**
 * Locks the guard rows of several orders (created if missing) and the orders' rows, and reads
 * both. Rows are locked in order-id order, so two groups never wait on each other in a cycle.
 */
export async function lockGuards(conn: Conn, refs: readonly OrderRef[]): Promise<Map<string, LockedGuard>> {
  const sorted = [...refs].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  const ids = sorted.map((r) => r.orderId);
  // The upsert takes each row's exclusive lock whether it inserts or not; no check-then-insert.
  await conn.query(
    'INSERT INTO order_guards (order_id, merchant_id) VALUES ? ON DUPLICATE KEY UPDATE order_id = order_id',
    [sorted.map((r) => [r.orderId, r.merchantId])],
  );
  const [rows] = await conn.query<GuardRow[]>(
    // Keys forced: on a small table the optimizer scans, and a locking scan waits for every row
    // it reads, other groups' orders included (as seen on merchant_seq).
    `SELECT g.order_id, g.pending, g.tail_pos, o.version
       FROM order_guards g FORCE INDEX (PRIMARY) LEFT JOIN orders o FORCE INDEX (PRIMARY) ON o.order_id = g.order_id
      WHERE g.order_id IN (?) ORDER BY g.order_id FOR UPDATE`,
    [ids],
  );
  const out = new Map<string, LockedGuard>();
  for (const r of rows) {
    out.set(r.order_id, {
      orderId: r.order_id,
      pending: Number(r.pending),
      tailPos: Number(r.tail_pos),
      storedVersion: Number(r.version ?? 0),
    });
  }
  for (const id of ids) if (!out.has(id)) throw new Error(`guard row of order ${id} vanished under its lock`);
  return out;
}

export async function lockGuard(conn: Conn, orderId: string, merchantId: string): Promise<LockedGuard> {
  const guards = await lockGuards(conn, [{ orderId, merchantId }]);
  return guards.get(orderId) as LockedGuard;
}

export interface OrderProgress {
  /** 0 when the order is unknown */
  storedVersion: number;
  pending: number;
}

interface ProgressRow extends RowDataPacket {
  order_id: string;
  version: number | null;
  pending: number | null;
}

/**
 * A lock-free peek used only to skip work (a duplicate needs no order-service call; an order with
 * pending entries is parked without one). The decision itself is re-made under the guard lock.
 * One query for many orders: the consumer peeks a whole group at once.
 */
export async function peekMany(pool: Pool, orderIds: readonly string[]): Promise<Map<string, OrderProgress>> {
  const ids = [...new Set(orderIds)];
  // Either row may be missing (an order stored by other means has no guard yet): read both tables.
  const [rows] = await pool.query<ProgressRow[]>(
    `SELECT order_id, version, NULL AS pending FROM orders WHERE order_id IN (?)
     UNION ALL
     SELECT order_id, NULL AS version, pending FROM order_guards WHERE order_id IN (?)`,
    [ids, ids],
  );
  const out = new Map<string, OrderProgress>();
  for (const r of rows) {
    const p = out.get(r.order_id) ?? { storedVersion: 0, pending: 0 };
    if (r.version !== null) p.storedVersion = Number(r.version);
    if (r.pending !== null) p.pending = Number(r.pending);
    out.set(r.order_id, p);
  }
  return out;
}

export async function peekProgress(pool: Pool, orderId: string): Promise<OrderProgress> {
  return (await peekMany(pool, [orderId])).get(orderId) ?? { storedVersion: 0, pending: 0 };
}

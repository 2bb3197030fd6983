// Flagging an order as rush (or clearing it): kitchen and waiters both may. The order row is locked,
// the flag written, and an `order` change logged carrying `rush`, so every screen moves the ticket
// at once. Setting what is already set changes nothing and logs nothing. Every order change carries
// the stored flag (src/views/order.ts), so a screen never has to guess it.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { UnitOfWork } from '../changes/unit-of-work';
import { readOrder } from '../board/read';
import type { Conn } from '../db/pool';
import type { OrderDetail } from '../views/order';

export type RushResult = { kind: 'ok'; order: OrderDetail; changed: boolean } | { kind: 'not_found' } | { kind: 'forbidden' };

export interface RushRequest {
  orderId: string;
  rush: boolean;
  mayAccess: (merchantId: string) => boolean;
}

interface RushRow extends RowDataPacket {
  merchant_id: string;
  rush: number;
}

async function selectOrderForUpdate(conn: Conn, orderId: string): Promise<RushRow | undefined> {
  const [rows] = await conn.query<RushRow[]>('SELECT merchant_id, rush FROM orders WHERE order_id = ? FOR UPDATE', [orderId]);
  return rows[0];
}

async function updateRush(conn: Conn, orderId: string, rush: boolean): Promise<void> {
  await conn.query<ResultSetHeader>('UPDATE orders SET rush = ? WHERE order_id = ?', [rush ? 1 : 0, orderId]);
}

export async function setRush(work: UnitOfWork, req: RushRequest): Promise<RushResult> {
  return work.run(async (tx): Promise<RushResult> => {
    const row = await selectOrderForUpdate(tx.conn, req.orderId);
    if (row === undefined) return { kind: 'not_found' };
    if (!req.mayAccess(row.merchant_id)) return { kind: 'forbidden' };
    const changed = (Number(row.rush) === 1) !== req.rush;
    if (changed) {
      await updateRush(tx.conn, req.orderId, req.rush);
      tx.touchOrders([req.orderId]);
    }
    const order = await readOrder(tx.conn, req.orderId);
    if (order === undefined) return { kind: 'not_found' };
    return { kind: 'ok', order, changed };
  });
}

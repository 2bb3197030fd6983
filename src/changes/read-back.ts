// What a transaction tells screens: the rows its writer says it changed, read back inside the same
// transaction through the one mapper of each (src/views/), so a pushed change is always exactly what
// `GET /api/orders/{id}` returns. A writer never builds a view itself.
//
// Cost: one SELECT by primary key for all touched dishes and one for all touched orders, whatever
// the number of rows (a pipeline group of 200 events reads ~1,000 dishes in one statement), sent in
// one round trip with what the recorders read of the same rows.
import { queryBatch, type SqlStatement } from '../db/batch';
import type { Conn } from '../db/pool';
import { dishRowsStatement, dishView, type DishRow } from '../views/dish';
import { orderRowsStatement, orderView, type OrderRow } from '../views/order';
import type { Change, WaiterCall } from './append';

/** How a dish changed, for waiters: plain (`dish`), or with a `serve` / `pull` call. */
export type DishTouch = 'dish' | WaiterCall;

interface Touch {
  table: 'order' | 'dish';
  id: string;
  call: WaiterCall | null;
  /** an order given its ticket number by this transaction (its first store) */
  numbered: boolean;
}

export interface Touches {
  dishes(kind: DishTouch, itemIds: readonly string[]): void;
  orders(orderIds: readonly string[], numbered?: boolean): void;
  /**
   * The changes per merchant, in the order of the first touch of each row; `alongside` are reads
   * built from the touched ids (null: none), run in the same round trip, their results returned.
   */
  readBack(conn: Conn, alongside?: (ids: TouchedIds) => ReadonlyArray<SqlStatement | null>): Promise<ReadBack>;
}

export interface TouchedIds {
  dishIds: readonly string[];
  orderIds: readonly string[];
  /** the touched orders numbered by this transaction (each is numbered once, ever) */
  numberedOrderIds: readonly string[];
}

export interface ReadBack {
  byMerchant: Map<string, Change[]>;
  /** per statement given by `alongside`, its rows (undefined for a null one) */
  alongside: unknown[];
}

export function createTouches(): Touches {
  // key `o:<id>` / `d:<id>`: a row touched twice is one change, at its first place; a call given by
  // any touch is kept (the last one wins if two disagree)
  const touched = new Map<string, Touch>();
  const add = (table: Touch['table'], id: string, call: WaiterCall | null, numbered = false): void => {
    const key = `${table === 'order' ? 'o' : 'd'}:${id}`;
    const prev = touched.get(key);
    if (prev === undefined) touched.set(key, { table, id, call, numbered });
    else {
      if (call !== null) prev.call = call;
      if (numbered) prev.numbered = true;
    }
  };
  return {
    dishes(kind, itemIds) {
      for (const id of itemIds) add('dish', id, kind === 'dish' ? null : kind);
    },
    orders(orderIds, numbered = false) {
      for (const id of orderIds) add('order', id, null, numbered);
    },
    async readBack(conn, alongside) {
      const byMerchant = new Map<string, Change[]>();
      if (touched.size === 0) return { byMerchant, alongside: [] };
      const list = [...touched.values()];
      const dishIds = list.filter((t) => t.table === 'dish').map((t) => t.id);
      const orderIds = list.filter((t) => t.table === 'order').map((t) => t.id);
      const numberedOrderIds = list.filter((t) => t.table === 'order' && t.numbered).map((t) => t.id);
      const extra = alongside?.({ dishIds, orderIds, numberedOrderIds }) ?? [];
      const statements = [
        ...(dishIds.length > 0 ? [dishRowsStatement(dishIds)] : []),
        ...(orderIds.length > 0 ? [orderRowsStatement(orderIds)] : []),
        ...extra.filter((s): s is SqlStatement => s !== null),
      ];
      const results = await queryBatch(conn, statements);
      const dishRows = (dishIds.length > 0 ? results.shift() : []) as DishRow[];
      const orderRows = (orderIds.length > 0 ? results.shift() : []) as OrderRow[];
      const extraResults = extra.map((s) => (s === null ? undefined : results.shift()));
      const dishes = new Map(dishRows.map((r) => [r.item_id, r]));
      const orders = new Map(orderRows.map((r) => [r.order_id, r]));
      const changeOf = (t: Touch): { merchantId: string; change: Change } | undefined => {
        if (t.table === 'dish') {
          const r = dishes.get(t.id);
          return r && { merchantId: r.merchant_id, change: { kind: 'dish', dish: dishView(r), call: t.call } };
        }
        const r = orders.get(t.id);
        return r && { merchantId: r.merchant_id, change: { kind: 'order', order: orderView(r) } };
      };
      for (const t of list) {
        const found = changeOf(t);
        // a writer names only rows it wrote in this transaction: a missing one is a bug
        if (found === undefined) throw new Error(`touched ${t.table} ${t.id} does not exist`);
        const changes = byMerchant.get(found.merchantId);
        if (changes === undefined) byMerchant.set(found.merchantId, [found.change]);
        else changes.push(found.change);
      }
      return { byMerchant, alongside: extraResults };
    },
  };
}

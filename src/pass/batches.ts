// Batches (并菜, contract "Kitchen workflows"): fired WAITING dishes of a merchant grouped by dishId
// (by name without one), station and identical note, so a wok cook frying three portions of one
// dish for three tables acts once. Reading them, and marking a batch READY "as far as the portions
// go": in the group's order (rush first, then oldest firedAt), each dish whose quantity still fits
// in the portions left is marked; a dish that does not fit is skipped, a later smaller one may fit.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Conn } from '../db/pool';
import { DISH_COLUMNS, type DishRow, type DishView } from '../views/dish';
import { COMPLETED_GRACE_MINUTES } from '../board/select-board-orders';
import { insertDishMarks, type Actor } from '../dishes/insert-dish-mark';
import { readDishes } from '../dishes/select-dishes-for-update';
import { updateDishState } from '../dishes/update-dish-state';

export interface BatchDish {
  itemId: string;
  orderId: string;
  ticketNo: number | null;
  tableNo: string | null;
  quantity: number;
  firedAt: string | null;
  rush: boolean;
}

export interface Batch {
  dishId: string | null;
  name: string;
  /** the menu's short name of dishId (menu_dishes), null without one: what the by-dish view shows */
  shortName: string | null;
  station: string | null;
  note: string | null;
  portions: number;
  dishes: BatchDish[];
}

/** What identifies a batch (the body of POST …/batches/ready). */
export interface BatchKey {
  dishId: string | null;
  name: string | null;
  station: string | null;
  note: string | null;
}

interface OpenRow extends RowDataPacket {
  item_id: string;
  order_id: string;
  dish_id: string | null;
  name: string;
  station: string | null;
  note: string | null;
  quantity: number;
  fired_at: Date | null;
  short_name: string | null;
  ticket_no: number | null;
  table_no: string | null;
  rush: number;
}

const keyOf = (r: { dish_id: string | null; name: string; station: string | null; note: string | null }): string =>
  JSON.stringify([r.dish_id ?? null, r.dish_id === null ? r.name : null, r.station, r.note]);

const t = (d: Date | null): number => (d === null ? 0 : new Date(d).getTime());
/** The group's order: rush first, then oldest fired first (item id breaks ties, stably). */
const groupOrder = (a: OpenRow, b: OpenRow): number =>
  Number(b.rush) - Number(a.rush) || t(a.fired_at) - t(b.fired_at) || (a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0);

/** Pure: groups open dishes into batches, most portions first. */
export function groupBatches(rows: readonly OpenRow[]): Batch[] {
  const groups = new Map<string, OpenRow[]>();
  for (const r of rows) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const out = [...groups.values()].map((list): Batch => {
    const sorted = [...list].sort(groupOrder);
    const first = sorted[0] as OpenRow;
    return {
      dishId: first.dish_id, name: first.name, shortName: first.short_name, station: first.station, note: first.note,
      portions: sorted.reduce((n, r) => n + Number(r.quantity), 0),
      dishes: sorted.map((r) => ({
        itemId: r.item_id, orderId: r.order_id, ticketNo: r.ticket_no === null ? null : Number(r.ticket_no), tableNo: r.table_no,
        quantity: Number(r.quantity), firedAt: r.fired_at === null ? null : new Date(r.fired_at).toISOString(), rush: Number(r.rush) === 1,
      })),
    };
  });
  const cmp = (x: string | null, y: string | null): number => ((x ?? '') < (y ?? '') ? -1 : (x ?? '') > (y ?? '') ? 1 : 0);
  return out.sort((a, b) => b.portions - a.portions || cmp(a.name, b.name) || cmp(a.station, b.station) || cmp(a.note, b.note));
}

/** Fired WAITING dishes of the orders the boards show (same horizon and COMPLETED rule). */
async function selectOpenFired(db: Connection, merchantId: string, boardDays: number, station?: string): Promise<OpenRow[]> {
  const [rows] = await db.query<OpenRow[]>(
    `SELECT d.item_id, d.order_id, d.dish_id, d.name, d.station, d.note, d.quantity, d.fired_at, m.short_name, o.ticket_no, o.table_no, o.rush
       FROM dishes d
       JOIN orders o ON o.order_id = d.order_id
       LEFT JOIN menu_dishes m ON m.merchant_id = d.merchant_id AND m.dish_id = d.dish_id
      WHERE d.merchant_id = ? AND d.state = 'WAITING' AND d.held = 0
        AND d.placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
        AND (? IS NULL OR d.station = ?)
        AND NOT (o.status = 'COMPLETED' AND o.updated_at < UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)`,
    [merchantId, boardDays, station ?? null, station ?? null, COMPLETED_GRACE_MINUTES],
  );
  return rows;
}

export async function readBatches(db: Connection, merchantId: string, boardDays: number, station?: string): Promise<Batch[]> {
  return groupBatches(await selectOpenFired(db, merchantId, boardDays, station));
}

/** The batch's dishes, locked in item-id order (the dish lock order); orders are read, not locked. */
async function lockBatch(conn: Conn, merchantId: string, key: BatchKey, boardDays: number): Promise<DishRow[]> {
  const [rows] = await conn.query<(DishRow & RowDataPacket)[]>(
    `SELECT ${DISH_COLUMNS} FROM dishes
      WHERE merchant_id = ? AND state = 'WAITING' AND held = 0
        AND placed_at >= UTC_TIMESTAMP(3) - INTERVAL ? DAY
        AND (dish_id = ? OR (? IS NULL AND dish_id IS NULL AND name = ?))
        AND station <=> ? AND note <=> ?
      ORDER BY item_id FOR UPDATE`,
    [merchantId, boardDays, key.dishId, key.dishId, key.name, key.station, key.note],
  );
  return rows;
}

async function selectOrderFacts(conn: Conn, orderIds: readonly string[]): Promise<Map<string, { rush: number; ticket_no: number | null; table_no: string | null }>> {
  if (orderIds.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT order_id, rush, ticket_no, table_no FROM orders WHERE order_id IN (?)', [orderIds]);
  return new Map(rows.map((r) => [String(r.order_id), { rush: Number(r.rush), ticket_no: r.ticket_no as number | null, table_no: r.table_no as string | null }]));
}

/** Pure: which dishes of a group (in its order) fit in `portions`. */
export function fitPortions<T extends { quantity: number }>(ordered: readonly T[], portions: number): T[] {
  let left = portions;
  const out: T[] = [];
  for (const d of ordered) {
    if (Number(d.quantity) > left) continue;
    left -= Number(d.quantity);
    out.push(d);
  }
  return out;
}

export async function markBatchReady(
  work: UnitOfWork,
  req: { merchantId: string; key: BatchKey; portions: number; actor: Actor; boardDays: number },
): Promise<{ marked: DishView[] }> {
  return work.run(async (tx) => {
    const locked = await lockBatch(tx.conn, req.merchantId, req.key, req.boardDays);
    const facts = await selectOrderFacts(tx.conn, [...new Set(locked.map((d) => d.order_id))]);
    const ordered = locked
      .map((d): OpenRow => ({ ...d, ...(facts.get(d.order_id) ?? { rush: 0, ticket_no: null, table_no: null }) }) as unknown as OpenRow)
      .sort(groupOrder);
    const chosen = fitPortions(ordered, req.portions);
    const at = new Date();
    for (const d of chosen) await updateDishState(tx.conn, d.item_id, 'READY', at);
    await insertDishMarks(tx.conn, chosen.map((d) => ({
      merchantId: req.merchantId, orderId: d.order_id, itemId: d.item_id, action: 'READY' as const, from: 'WAITING', to: 'READY', actor: req.actor, at,
    })));
    tx.touchDishes('serve', chosen.map((d) => d.item_id));
    return { marked: await readDishes(tx.conn, chosen.map((d) => d.item_id)) };
  });
}

// What screens are told about a dish, made from the stored row by ONE mapper: `GET /api/orders/{id}`,
// the boards, the snapshot and every pushed `dish` change (read back by the unit of work,
// src/changes/read-back.ts) all select DISH_COLUMNS and map them with `dishView`, so a frame can
// never carry a value the database does not hold.
import type { RowDataPacket } from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import type { SqlStatement } from '../db/batch';

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
  /** only on added-portion rows (src/apply/dish-plan.ts): the item whose raised quantity they are */
  addedTo?: string;
  /** contract "Kitchen workflows": the upstream dish id, the course, and hold/fire */
  dishId: string | null;
  course: number;
  held: boolean;
  /** when the kitchen may start it; null while held */
  firedAt: string | null;
  /** firedAt plus the dish's prep target (menu_dishes); null without one */
  dueAt: string | null;
  /** the menu's short name for the dish (menu_dishes.short_name of its dishId); null without one */
  shortName: string | null;
}

export interface DishRow {
  item_id: string;
  order_id: string;
  merchant_id: string;
  name: string;
  quantity: number;
  station: string | null;
  note: string | null;
  state: string;
  updated_at: Date;
  ready_at: Date | null;
  served_at: Date | null;
  added_to?: string | null;
  dish_id: string | null;
  course: number;
  held: number;
  fired_at: Date | null;
  due_at: Date | null;
  short_name: string | null;
}

/**
 * The columns dishView maps; every read that feeds a screen selects exactly these, `FROM dishes`
 * (not aliased: the short name is looked up by `dishes.merchant_id` and `dishes.dish_id`).
 *
 * The short name is read from the menu as it is now (one primary-key lookup per dish), not copied
 * onto the dish: a manager who shortens a name sees it on every open ticket at the screens' next
 * read (snapshot, or the dish's next change), with no write to the dishes.
 * The writers select these `FOR UPDATE`; the subquery's menu row is read, not locked (checked on
 * MariaDB 10.11: with one dish locked this way, an UPDATE of its menu row and a locking read of
 * another dish of the same dishId both go through at once), so two cooks marking dishes of one
 * dishId, or a manager editing the menu, never wait on each other through it.
 */
export const DISH_COLUMN_NAMES = [
  'item_id', 'order_id', 'merchant_id', 'name', 'quantity', 'station', 'note', 'state', 'updated_at', 'ready_at', 'served_at',
  'added_to', 'dish_id', 'course', 'held', 'fired_at', 'due_at',
] as const;

/** The menu's short name of a row of `dishes` (see DISH_COLUMNS). */
export const SHORT_NAME_SQL =
  '(SELECT menu_dishes.short_name FROM menu_dishes WHERE menu_dishes.merchant_id = dishes.merchant_id AND menu_dishes.dish_id = dishes.dish_id)';

export const DISH_COLUMNS = `${DISH_COLUMN_NAMES.join(', ')}, ${SHORT_NAME_SQL} AS short_name`;

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

export function dishView(r: DishRow): DishView {
  return {
    itemId: r.item_id,
    orderId: r.order_id,
    name: r.name,
    quantity: Number(r.quantity),
    station: r.station,
    note: r.note,
    state: r.state,
    updatedAt: new Date(r.updated_at).toISOString(),
    readyAt: r.ready_at === null ? null : new Date(r.ready_at).toISOString(),
    servedAt: r.served_at === null ? null : new Date(r.served_at).toISOString(),
    ...(r.added_to !== null && r.added_to !== undefined ? { addedTo: r.added_to } : {}),
    dishId: r.dish_id,
    course: Number(r.course),
    held: Number(r.held) === 1,
    firedAt: iso(r.fired_at),
    dueAt: iso(r.due_at),
    shortName: r.short_name ?? null,
  };
}

/**
 * Dishes by item id (primary key), as stored; on a connection inside a transaction this includes
 * the transaction's own writes. No lock: the writer that changed them holds theirs.
 */
export async function selectDishRows(db: Connection, itemIds: readonly string[]): Promise<DishRow[]> {
  if (itemIds.length === 0) return [];
  const { sql, values } = dishRowsStatement(itemIds);
  const [rows] = await db.query<(DishRow & RowDataPacket)[]>(sql, values);
  return rows;
}

/** selectDishRows as a statement, for a caller that sends it with others (src/db/batch.ts); ids not empty. */
export function dishRowsStatement(itemIds: readonly string[]): SqlStatement {
  return { sql: `SELECT ${DISH_COLUMNS} FROM dishes WHERE item_id IN (?)`, values: [itemIds] };
}

/**
 * A dish its writer just changed (it holds the row's lock), as screens are told it: what a kitchen
 * call answers, equal to the change the unit of work pushes.
 */
export async function readDish(db: Connection, itemId: string): Promise<DishView> {
  const [row] = await selectDishRows(db, [itemId]);
  if (row === undefined) throw new Error(`dish ${itemId} vanished under its lock`);
  return dishView(row);
}

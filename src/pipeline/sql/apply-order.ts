// Applies order-service answers: the order rows, their dish rows and the changes to log.
// Runs inside the caller's transaction, with the orders' guard rows locked (so no other pipeline
// writer works on these orders). Every upstream column is still guarded by the version in SQL
// (design note 2): even a wrong plan could not move an order backwards. `version` is assigned
// last because MySQL evaluates ON DUPLICATE KEY assignments left to right.
import type { RowDataPacket } from 'mysql2/promise';
import type { Change } from '../../changes/append';
import type { Conn } from '../../db/pool';
import type { MerchantZones } from '../../merchant-settings/zones';
import type { OrderDetails } from '../../order-service/details';
import { issueTickets } from '../../tickets/issue';
import { planDishes, type ExistingDish } from '../dish-plan';

const UPSERT_ORDERS = `
INSERT INTO orders (order_id, merchant_id, table_no, status, version, placed_at, upstream_updated_at, updated_at)
VALUES ?
ON DUPLICATE KEY UPDATE
  table_no            = IF(VALUES(version) > version, VALUES(table_no), table_no),
  status              = IF(VALUES(version) > version, VALUES(status), status),
  placed_at           = IF(VALUES(version) > version, VALUES(placed_at), placed_at),
  upstream_updated_at = IF(VALUES(version) > version, VALUES(upstream_updated_at), upstream_updated_at),
  updated_at          = IF(VALUES(version) > version, VALUES(updated_at), updated_at),
  version             = GREATEST(version, VALUES(version))`;

// Upstream may only move an unserved dish to CANCELLED; other kitchen moves belong to screens.
// added_to is set once, when an added-portion row is created (dish-plan.ts).
const UPSERT_DISHES = `
INSERT INTO dishes (item_id, order_id, merchant_id, dish_id, name, quantity, station, note,
                    upstream_status, upstream_version, state, placed_at, updated_at, added_to)
VALUES ?
ON DUPLICATE KEY UPDATE
  dish_id         = IF(VALUES(upstream_version) > upstream_version, VALUES(dish_id), dish_id),
  name            = IF(VALUES(upstream_version) > upstream_version, VALUES(name), name),
  quantity        = IF(VALUES(upstream_version) > upstream_version, VALUES(quantity), quantity),
  station         = IF(VALUES(upstream_version) > upstream_version, VALUES(station), station),
  note            = IF(VALUES(upstream_version) > upstream_version, VALUES(note), note),
  upstream_status = IF(VALUES(upstream_version) > upstream_version, VALUES(upstream_status), upstream_status),
  state           = IF(VALUES(upstream_version) > upstream_version AND VALUES(state) = 'CANCELLED'
                       AND state <> 'SERVED', 'CANCELLED', state),
  placed_at       = IF(VALUES(upstream_version) > upstream_version, VALUES(placed_at), placed_at),
  updated_at      = IF(VALUES(upstream_version) > upstream_version, VALUES(updated_at), updated_at),
  upstream_version = GREATEST(upstream_version, VALUES(upstream_version))`;

export interface ApplyRequest {
  details: OrderDetails;
  /** The order's applied version, read under its lock (the guard join of sql/guard.ts). */
  storedVersion: number;
}

interface DishRow extends ExistingDish, RowDataPacket {
  order_id: string;
}

/**
 * Applies several orders' answers with one statement per table (the caller holds their locks).
 * Returns the changes to log per request, in request order; empty for a request whose stored
 * version is already as new (a no-op).
 */
export async function applyOrders(
  conn: Conn,
  requests: readonly ApplyRequest[],
  now: Date,
  zones: MerchantZones,
): Promise<Change[][]> {
  const fresh = requests.filter((r) => r.storedVersion < r.details.version);
  if (fresh.length === 0) return requests.map(() => []);

  await conn.query(UPSERT_ORDERS, [
    fresh.map(({ details: d }) => [d.orderId, d.merchantId, d.tableNo, d.status, d.version, d.placedAt, d.updatedAt, now]),
  ]);

  const [rows] = await conn.query<DishRow[]>(
    `SELECT order_id, item_id, name, quantity, station, note, upstream_status, upstream_version, state, ready_at, served_at, added_to
       FROM dishes FORCE INDEX (dishes_order) WHERE order_id IN (?) FOR UPDATE`,
    [fresh.map((r) => r.details.orderId)],
  );
  const existing = new Map<string, Map<string, ExistingDish>>();
  for (const r of rows) {
    const dishes = existing.get(r.order_id) ?? new Map<string, ExistingDish>();
    dishes.set(r.item_id, r);
    existing.set(r.order_id, dishes);
  }

  const dishValues: unknown[][] = [];
  const changes = new Map<ApplyRequest, Change[]>();
  for (const r of fresh) {
    const d = r.details;
    const before = existing.get(d.orderId) ?? new Map<string, ExistingDish>();
    const plan = planDishes(before, d, now);
    for (const w of plan.writes) {
      dishValues.push([
        w.itemId, d.orderId, d.merchantId, w.dishId, w.name, w.quantity, w.station, w.note,
        w.upstreamStatus, d.version, w.state, d.placedAt, now, w.addedTo,
      ]);
    }
    const order = { orderId: d.orderId, tableNo: d.tableNo, status: d.status, version: d.version, ticketNo: null, placedAt: d.placedAt.toISOString() };
    changes.set(r, [
      { kind: 'order', order },
      ...plan.views.map((dish): Change => ({ kind: 'dish', dish, from: before.get(dish.itemId)?.state ?? null, serve: false })),
    ]);
  }
  if (dishValues.length > 0) await conn.query(UPSERT_DISHES, [dishValues]);
  // numbered after the dish rows are locked, before the unit of work locks merchant_seq
  const tickets = await issueTickets(conn, fresh.map((r) => r.details), zones);
  for (const list of changes.values()) {
    for (const c of list) if (c.kind === 'order') c.order.ticketNo = tickets.get(c.order.orderId) ?? null;
  }
  return requests.map((r) => changes.get(r) ?? []);
}

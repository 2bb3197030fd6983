// The apply step shared by the consumer's group write (src/pipeline/write-group.ts) and the retry
// job (src/retry/worker.ts): order-service answers become order rows and dish rows, and the rows
// written are touched for the unit of work, which reads them back for screens.
// Runs inside the caller's unit of work, with the orders' queues locked (src/order-queue/sql.ts
// lockQueues/lockEntry, which also read the stored versions). Every upstream column is still
// guarded by the version in SQL: even a wrong plan could not move an order
// backwards. `version` is assigned last because MySQL evaluates ON DUPLICATE KEY assignments left
// to right. The local day is given once, with the ticket number (src/tickets/issue.ts): the upsert
// writes it only where `ticket_no` is still NULL; the number itself comes last, with the dishes'
// writes, so the merchant-day counter is held for as short a time as the read-back allows.
import type { RowDataPacket } from 'mysql2/promise';
import type { WorkTx } from '../changes/unit-of-work';
import { queryBatch, type SqlStatement } from '../db/batch';
import type { MerchantZones } from '../merchant-settings/zones';
import { alreadyApplied } from '../order-queue/decide';
import { scheduledFiresStatement, type ScheduledFireRow } from '../firing/sql';
import type { MenuCache } from '../menu/cache';
import { selectMerchantSettings } from '../merchant-settings/select-settings';
import { orderChannel, type OrderDetails } from '../order-service/details';
import { numbering, placeArrivals } from '../tickets/issue';
import { planDishes, touchOf, type ExistingDish } from './dish-plan';

const UPSERT_ORDERS = `
INSERT INTO orders (order_id, merchant_id, table_no, status, version, placed_at, upstream_updated_at, updated_at,
                    channel, platform, pickup_at, local_date, local_hour, hour_start)
VALUES ?
ON DUPLICATE KEY UPDATE
  local_date          = IF(ticket_no IS NULL, VALUES(local_date), local_date),
  local_hour          = IF(ticket_no IS NULL, VALUES(local_hour), local_hour),
  hour_start          = IF(ticket_no IS NULL, VALUES(hour_start), hour_start),
  table_no            = IF(VALUES(version) > version, VALUES(table_no), table_no),
  channel             = IF(VALUES(version) > version, VALUES(channel), channel),
  platform            = IF(VALUES(version) > version, VALUES(platform), platform),
  pickup_at           = IF(VALUES(version) > version, VALUES(pickup_at), pickup_at),
  status              = IF(VALUES(version) > version, VALUES(status), status),
  placed_at           = IF(VALUES(version) > version, VALUES(placed_at), placed_at),
  upstream_updated_at = IF(VALUES(version) > version, VALUES(upstream_updated_at), upstream_updated_at),
  updated_at          = IF(VALUES(version) > version, VALUES(updated_at), updated_at),
  version             = GREATEST(version, VALUES(version))`;

// Upstream may only move an unserved dish to CANCELLED; other kitchen moves belong to screens.
// added_to is set once, when an added-portion row is created (dish-plan.ts).
// held, fired_at and due_at are kitchen columns: the plan carries them as stored (rows locked
// below) unless the answer creates the dish or fires it (hold turned to false), so writing them back
// changes nothing else.
const UPSERT_DISHES = `
INSERT INTO dishes (item_id, order_id, merchant_id, dish_id, name, quantity, station, note,
                    upstream_status, upstream_version, state, placed_at, updated_at, added_to,
                    course, upstream_hold, held, fired_at, due_at)
VALUES ?
ON DUPLICATE KEY UPDATE
  course          = IF(VALUES(upstream_version) > upstream_version, VALUES(course), course),
  upstream_hold   = IF(VALUES(upstream_version) > upstream_version, VALUES(upstream_hold), upstream_hold),
  held            = IF(VALUES(upstream_version) > upstream_version, VALUES(held), held),
  fired_at        = IF(VALUES(upstream_version) > upstream_version, VALUES(fired_at), fired_at),
  due_at          = IF(VALUES(upstream_version) > upstream_version, VALUES(due_at), due_at),
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
  /** The order's applied version, read under its queue's lock (src/order-queue/sql.ts lockQueues). */
  storedVersion: number;
  /** The order row has its ticket number already (read under the same lock). */
  ticketed: boolean;
}

interface DishRow extends ExistingDish, RowDataPacket {
  order_id: string;
}

/**
 * Applies several orders' answers with one statement per table (the caller holds their locks) and
 * touches every row written: for each order its order row, then its dish rows. Returns per request,
 * in request order, whether it was applied; false when the order already has that version.
 */
/** What the apply step knows of merchants beyond the answers: zones, and menus cached by version. */
export interface MerchantContext {
  zones: MerchantZones;
  menus: MenuCache;
}

export async function applyOrders(
  tx: WorkTx,
  requests: readonly ApplyRequest[],
  now: Date,
  merchants: MerchantContext,
): Promise<boolean[]> {
  const fresh = requests.filter((r) => !alreadyApplied(r.storedVersion, r.details.version));
  if (fresh.length === 0) return requests.map(() => false);
  const { conn } = tx;

  // one read of the merchants' settings: zones for the ticket days, fire by prep time, menu versions
  const settings = await selectMerchantSettings(conn, fresh.map((r) => r.details.merchantId));
  const zoneOf = (merchantId: string): string => merchants.zones.zoneFrom(settings.get(merchantId)?.timeZone);
  // placed in local time now (the orders upsert writes the day), numbered at the end
  const placed = placeArrivals(fresh.filter((r) => !r.ticketed).map((r) => r.details), zoneOf);
  const tickets = new Map(placed.map((p) => [p.orderId, p]));
  // the orders' upsert and the locking read of their dishes in one round trip
  const [, rows] = (await queryBatch(conn, [
    {
      sql: UPSERT_ORDERS,
      values: [fresh.map(({ details: d }) => {
        const c = orderChannel(d);
        const t = tickets.get(d.orderId);
        return [
          d.orderId, d.merchantId, d.tableNo, d.status, d.version, d.placedAt, d.updatedAt, now, c.channel, c.platform, c.pickupAt,
          t?.localDate ?? null, t?.localHour ?? null, t?.hourStart ?? null,
        ];
      })],
    },
    {
      sql: `SELECT order_id, item_id, name, quantity, station, note, upstream_status, upstream_version, state, added_to,
                   dish_id, course, upstream_hold, held, fired_at, due_at
              FROM dishes FORCE INDEX (dishes_order) WHERE order_id IN (?) FOR UPDATE`,
      values: [fresh.map((r) => r.details.orderId)],
    },
  ])) as [unknown, DishRow[]];
  const existing = new Map<string, Map<string, ExistingDish>>();
  for (const r of rows) {
    const dishes = existing.get(r.order_id) ?? new Map<string, ExistingDish>();
    dishes.set(r.item_id, r);
    existing.set(r.order_id, dishes);
  }

  // menus only of merchants whose dishes name a dishId (nothing else has a target); cached by version
  const targets = await merchants.menus.targets(conn, settings, fresh.filter((r) => r.details.items.some((i) => i.dishId !== null)).map((r) => r.details.merchantId));
  const dishValues: unknown[][] = [];
  const schedules: ScheduledFireRow[] = [];
  for (const r of fresh) {
    const d = r.details;
    const writes = planDishes(existing.get(d.orderId) ?? new Map<string, ExistingDish>(), d, targets(d.merchantId));
    tx.touchOrders([d.orderId], tickets.has(d.orderId));
    for (const w of writes) {
      dishValues.push([
        w.itemId, d.orderId, d.merchantId, w.dishId, w.name, w.quantity, w.station, w.note,
        w.upstreamStatus, d.version, w.state, d.placedAt, now, w.addedTo,
        w.course, w.upstreamHold ? 1 : 0, w.held ? 1 : 0, w.firedAt, w.dueAt,
      ]);
      if (w.scheduleAt !== null) schedules.push({ itemId: w.itemId, merchantId: d.merchantId, orderId: d.orderId, dueAt: w.scheduleAt });
      tx.touchDishes(touchOf(w), [w.itemId]);
    }
  }
  // one round trip: the dishes, their scheduled fires, then the ticket numbers (lock order)
  const writes: SqlStatement[] = [];
  if (dishValues.length > 0) writes.push({ sql: UPSERT_DISHES, values: [dishValues] });
  const fires = scheduledFiresStatement(schedules);
  if (fires !== null) writes.push(fires);
  const numbers = numbering(placed);
  writes.push(...numbers.statements);
  const results = await queryBatch(conn, writes);
  numbers.verify(results.slice(results.length - numbers.statements.length));
  const applied = new Set(fresh);
  return requests.map((r) => applied.has(r));
}

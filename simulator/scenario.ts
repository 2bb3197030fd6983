// Deterministic restaurant traffic (pure, no I/O): per order a lifecycle per order-events.md,
// each step carrying the event and the full order body the order service holds after it.
//
// ORDER_CANCELLED marks every item CANCELLED as well as the order: after a cancellation nothing
// is left to cook, and the order service never removes items (order-service.md), so the list
// stays complete with every item CANCELLED.
import { DISHES, NOTES, TABLE_AREAS } from './catalogue';
import { intBetween, mulberry32, pick, uuid, type Random } from './prng';
import type { EventType, OrderBody, OrderEvent, OrderItem, Step } from './types';

export type { EventType, OrderBody, OrderEvent, OrderItem, OrderStatus, Step } from './types';

export interface ScenarioOptions {
  orders: number;
  /** Default 1. Same seed and options → same orders, ids, event ids and timestamps. */
  seed?: number;
  /** Merchants M0001..; a few are much busier than the rest (Zipf-like). Default 5. */
  merchants?: number;
  /** Prepended to every order id ([A-Za-z0-9_-]) so runs against one topic don't collide. */
  idPrefix?: string;
  /** Time of the first order. Default 2026-11-22T11:00:00Z. */
  startMs?: number;
  /** Mean time between two orders being placed. Default 2000 ms. */
  spacingMs?: number;
  /** Share of orders cancelled at some point. Default 0.04. */
  cancelRate?: number;
  /** Share of take-away orders (tableNo null). Default 0.25. */
  takeAwayRate?: number;
}

const DEFAULT_START = Date.parse('2026-11-22T11:00:00.000Z');

function merchantPicker(r: Random, count: number): () => string {
  const weights = Array.from({ length: count }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let x = r() * total;
    for (const [i, w] of weights.entries()) {
      x -= w;
      if (x < 0) return `M${String(i + 1).padStart(4, '0')}`;
    }
    return `M${String(count).padStart(4, '0')}`;
  };
}

function newItem(r: Random, orderId: string, n: number): OrderItem {
  const dish = pick(r, DISHES);
  return {
    itemId: `${orderId}-${n}`,
    dishId: dish.dishId,
    name: dish.name,
    quantity: r() < 0.7 ? 1 : intBetween(r, 2, 4),
    station: dish.station,
    note: pick(r, NOTES),
    status: 'ACTIVE',
  };
}

function snapshot(body: OrderBody): OrderBody {
  return { ...body, items: body.items.map((i) => ({ ...i })) };
}

/** Adds dishes, takes one off (it stays, CANCELLED) or changes a quantity. */
function changeItems(r: Random, body: OrderBody, nextItem: () => number): void {
  const active = body.items.filter((i) => i.status === 'ACTIVE');
  const roll = r();
  if (roll < 0.25 && active.length >= 2) {
    pick(r, active).status = 'CANCELLED';
  } else if (roll < 0.5 && active.length >= 1) {
    const item = pick(r, active);
    item.quantity = item.quantity === 1 ? intBetween(r, 2, 4) : item.quantity - 1;
  } else {
    const n = intBetween(r, 1, 2);
    for (let i = 0; i < n; i++) body.items.push(newItem(r, body.orderId, nextItem()));
  }
}

function plan(r: Random, cancelRate: number): EventType[] {
  const types: EventType[] = ['ORDER_PLACED'];
  for (let i = intBetween(r, 0, 2); i > 0; i--) types.push('ORDER_ITEMS_CHANGED');
  types.push('ORDER_PAID');
  if (r() < 0.3) types.push('ORDER_ITEMS_CHANGED');
  types.push('ORDER_COMPLETED');
  if (r() >= cancelRate) return types;
  // Cancelled "at any point" after being placed: it replaces one of the later steps and ends it.
  const at = intBetween(r, 1, types.length - 1);
  return [...types.slice(0, at), 'ORDER_CANCELLED'];
}

/** A per-order stream of its own, so the kitchen-workflow fields leave the main stream (and every seed's orders) as they were. */
function workflowRandom(orderId: string): Random {
  let h = 2166136261;
  for (const c of orderId) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return mulberry32(h >>> 0);
}

/**
 * Kitchen workflows (order-service.md optional fields): off-premises orders split between take-away
 * and delivery (美团 `meituan` / 饿了么 `eleme`) with a pickup time; a third of dine-in tables order a
 * second course held "to be called" (叫起), which the till fires at the order's next version.
 */
function addWorkflow(w: Random, body: OrderBody, placedMs: number): { heldCourse: boolean } {
  if (body.tableNo === null) {
    const delivery = w() < 0.6;
    body.channel = delivery ? 'DELIVERY' : 'TAKEAWAY';
    body.platform = delivery ? (w() < 0.55 ? 'meituan' : 'eleme') : null;
    body.pickupAt = new Date(placedMs + intBetween(w, 15, 40) * 60_000).toISOString();
    return { heldCourse: false };
  }
  body.channel = 'DINE_IN';
  body.platform = null;
  body.pickupAt = null;
  for (const item of body.items) item.course = item.station === 'cold' || item.station === 'bar' ? 1 : 2;
  const heldCourse = w() < 0.35 && body.items.some((i) => i.course === 2);
  for (const item of body.items) item.hold = heldCourse && item.course === 2;
  return { heldCourse };
}

function lifecycle(r: Random, orderId: string, merchantId: string, placedMs: number, opts: Required<ScenarioOptions>): Step[] {
  let n = 0;
  const nextItem = (): number => ++n;
  const tableNo = r() < opts.takeAwayRate ? null : `${pick(r, TABLE_AREAS)}${intBetween(r, 1, 30)}`;
  const placedAt = new Date(placedMs).toISOString();
  const body: OrderBody = {
    orderId, merchantId, tableNo, status: 'PLACED', version: 0, placedAt, updatedAt: placedAt, items: [],
  };
  const w = workflowRandom(orderId);
  let held = false;
  const steps: Step[] = [];
  let t = placedMs;
  for (const type of plan(r, opts.cancelRate)) {
    if (type === 'ORDER_PLACED') {
      for (let i = intBetween(r, 1, 5); i > 0; i--) body.items.push(newItem(r, orderId, nextItem()));
      held = addWorkflow(w, body, placedMs).heldCourse;
    } else {
      t += intBetween(r, 5_000, 240_000);
      // the till fires the held course at the order's next version (a few minutes later)
      if (held) for (const item of body.items) item.hold = false;
      held = false;
      if (type === 'ORDER_ITEMS_CHANGED') changeItems(r, body, nextItem);
      if (type === 'ORDER_PAID') body.status = 'PAID';
      if (type === 'ORDER_COMPLETED') body.status = 'COMPLETED';
      if (type === 'ORDER_CANCELLED') {
        body.status = 'CANCELLED';
        for (const item of body.items) item.status = 'CANCELLED';
      }
    }
    body.version += 1;
    body.updatedAt = new Date(t).toISOString();
    const event: OrderEvent = {
      eventId: uuid(r), type, orderId, merchantId, version: body.version, occurredAt: body.updatedAt,
    };
    steps.push({ event, order: snapshot(body) });
  }
  return steps;
}

/** One array of steps per order, in lifecycle order. */
export function generateOrders(options: ScenarioOptions): Step[][] {
  const opts: Required<ScenarioOptions> = {
    seed: 1, merchants: 5, idPrefix: '', startMs: DEFAULT_START, spacingMs: 2000, cancelRate: 0.04,
    takeAwayRate: 0.25, ...options,
  };
  if (!/^[A-Za-z0-9_-]*$/.test(opts.idPrefix)) throw new Error(`idPrefix "${opts.idPrefix}" must be [A-Za-z0-9_-]*`);
  const r = mulberry32(opts.seed);
  const merchant = merchantPicker(r, Math.max(1, opts.merchants));
  const day = new Date(opts.startMs).toISOString().slice(0, 10).replaceAll('-', '');
  const orders: Step[][] = [];
  for (let i = 0; i < opts.orders; i++) {
    const orderId = `${opts.idPrefix}O${day}-${String(i + 1).padStart(6, '0')}`;
    const placedMs = opts.startMs + i * opts.spacingMs + intBetween(r, 0, opts.spacingMs - 1);
    orders.push(lifecycle(r, orderId, merchant(), placedMs, opts));
  }
  return orders;
}

export interface InterleaveOptions {
  /**
   * How many orders are "open" at once. Undefined: a uniformly random interleaving of all of
   * them (an order's steps spread over the whole stream, like a burst of bulk corrections).
   * A number: steps are drawn from a moving window of that many orders, so an order's lifecycle
   * stays close together in the stream, as in a steady evening service.
   */
  window?: number;
}

/** Merges many sequences into one, random across sequences, preserving order within each. */
export function interleave<T>(lists: readonly (readonly T[])[], random: Random, opts: InterleaveOptions = {}): T[] {
  const pos = new Int32Array(lists.length);
  const out: T[] = [];
  const take = (li: number): void => {
    out.push((lists[li] as readonly T[])[pos[li] as number] as T);
    pos[li] = (pos[li] as number) + 1;
  };
  if (opts.window === undefined) {
    // Shuffle one ticket per element; the k-th ticket of list i takes its k-th element. O(total).
    const tickets: number[] = [];
    lists.forEach((l, i) => { for (let k = 0; k < l.length; k++) tickets.push(i); });
    for (let i = tickets.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [tickets[i], tickets[j]] = [tickets[j] as number, tickets[i] as number];
    }
    for (const li of tickets) take(li);
    return out;
  }
  const window = Math.max(1, Math.floor(opts.window));
  const active: number[] = [];
  let next = 0;
  const open = (): void => {
    while (next < lists.length && (lists[next] as readonly T[]).length === 0) next++;
    if (next < lists.length) active.push(next++);
  };
  while (active.length < window && next < lists.length) open();
  while (active.length > 0) {
    const k = Math.floor(random() * active.length);
    const li = active[k] as number;
    take(li);
    if (pos[li] === (lists[li] as readonly T[]).length) {
      active[k] = active[active.length - 1] as number;
      active.pop();
      open();
    }
  }
  return out;
}

/** generateOrders + interleave with the same seed: one ready-to-publish stream. */
export function generateTraffic(options: ScenarioOptions & InterleaveOptions): Step[] {
  const { window, ...scenario } = options;
  const random = mulberry32(((options.seed ?? 1) ^ 0x9e3779b9) >>> 0);
  return interleave(generateOrders(scenario), random, window === undefined ? {} : { window });
}

/** What the KDS should end up with for one order, after every step that was published. */
export interface OrderExpectation {
  orderId: string;
  merchantId: string;
  status: OrderBody['status'];
  version: number;
  items: OrderItem[];
  /** Events published for this order. */
  events: number;
}

export function expectations(steps: Iterable<Step>): Map<string, OrderExpectation> {
  const out = new Map<string, OrderExpectation>();
  for (const { order } of steps) {
    const prev = out.get(order.orderId);
    if (prev !== undefined && prev.version >= order.version) continue;
    out.set(order.orderId, {
      orderId: order.orderId,
      merchantId: order.merchantId,
      status: order.status,
      version: order.version,
      items: order.items,
      events: (prev?.events ?? 0) + 1,
    });
  }
  return out;
}

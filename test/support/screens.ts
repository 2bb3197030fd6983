// Shared by the HTTP, WebSocket and screen tests: seed rows like the pipeline would, run real
// servers on port 0, issue tokens, and wait on conditions instead of sleeping.
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import WebSocket from 'ws';
import { signToken, type Role, type TokenKey } from '../../src/auth/token';
import { createTokenAuth, type RevocationCheck, type TokenAuth } from '../../src/auth/token-auth';
import { lockQueue } from '../../src/order-queue/sql';
import { applyOrders } from '../../src/apply/apply-orders';
import type { ChangeNotifier } from '../../src/changes/append';
import type { UnitOfWork } from '../../src/changes/unit-of-work';
import type { Pool } from '../../src/db/pool';
import { testConfig, testWork } from './features';
import { startFiring, workflowRouters } from './firing';
import { createHttpServer, type HttpServer } from '../../src/http/app';
import type { OpsAccessConfig } from '../../src/http/ops-access';
import { createLimiters, type RateLimits } from '../../src/limits/limits';
import { buildKitchen } from '../../src/kitchen/build';
import type { OrderDetails } from '../../src/order-service/details';
import { createMerchantZones } from '../../src/merchant-settings/zones';
import { createMenuCache } from '../../src/menu/cache';
import { silentLogger } from '../../src/log';
import type { Presence } from '../../src/presence/presence';
import { createPushHub, type PushHub, type PushHubOptions } from '../../src/push/hub';

/** Random per run: the service refuses well-known secrets, and a test must not rely on one. */
export const SECRET = randomBytes(48).toString('base64');
export const ENV = 'test';
export const KEY: TokenKey = { secret: SECRET, env: ENV };

export function token(role: Role, merchantId?: string, orderId?: string, ttlSeconds?: number): string {
  return signToken({ role, merchantId, orderId, ttlSeconds }, KEY);
}

export interface SeedDish {
  itemId: string;
  name?: string;
  station?: string | null;
  state?: 'WAITING' | 'READY' | 'SERVED' | 'CANCELLED';
  quantity?: number;
  dishId?: string | null;
  course?: number;
  /** held (not fired): fired_at stays null */
  held?: boolean;
  note?: string | null;
}

export interface SeedOrder {
  orderId: string;
  merchantId: string;
  /** null: a take-away order */
  tableNo?: string | null;
  placedAt?: Date;
  channel?: 'DINE_IN' | 'TAKEAWAY' | 'DELIVERY';
  platform?: string | null;
  pickupAt?: Date | null;
  dishes: SeedDish[];
}

function channelOf(o: SeedOrder): string {
  return o.channel ?? (o.tableNo === null ? 'TAKEAWAY' : 'DINE_IN');
}

/** Inserts an order and its dishes and logs them (one order change, one change per dish). */
export async function seedOrder(pool: Pool, o: SeedOrder, notifier?: ChangeNotifier): Promise<number> {
  const placedAt = o.placedAt ?? new Date();
  // committed, then told, by the unit of work every writer uses (seq read back after the commit)
  await testWork(pool, notifier).work.run(async (tx) => {
    const { conn } = tx;
    await conn.query(
      `INSERT INTO orders (order_id, merchant_id, table_no, status, version, placed_at, upstream_updated_at, channel, platform, pickup_at)
       VALUES (?, ?, ?, 'PLACED', 1, ?, ?, ?, ?, ?)`,
      [o.orderId, o.merchantId, o.tableNo === undefined ? 'T1' : o.tableNo, placedAt, placedAt, channelOf(o),
        o.platform ?? null, o.pickupAt ?? null],
    );
    for (const d of o.dishes) {
      await conn.query(
        `INSERT INTO dishes (item_id, order_id, merchant_id, name, quantity, station, note,
                             upstream_status, upstream_version, state, placed_at, updated_at, ready_at, served_at,
                             dish_id, course, upstream_hold, held, fired_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'PLACED', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [d.itemId, o.orderId, o.merchantId, d.name ?? `dish ${d.itemId}`, d.quantity ?? 1,
          d.station === undefined ? 'grill' : d.station, d.note ?? null, d.state ?? 'WAITING', placedAt, placedAt,
          d.state === 'READY' || d.state === 'SERVED' ? placedAt : null, d.state === 'SERVED' ? placedAt : null,
          d.dishId ?? null, d.course ?? 1, d.held === true ? 1 : 0, d.held === true ? 1 : 0, d.held === true ? null : placedAt],
      );
    }
    // the changes as the unit of work makes them: the rows read back through the one mapper
    tx.touchOrders([o.orderId]);
    tx.touchDishes('dish', o.dishes.map((d) => d.itemId));
  });
  const [rows] = await pool.query<RowDataPacket[]>('SELECT seq FROM merchant_seq WHERE merchant_id = ?', [o.merchantId]);
  return Number(rows[0]?.seq ?? 0);
}

/**
 * Applies an order-service answer with the pipeline's own SQL (applyOrders) in a unit of work, as
 * the consumer would after fetching it: for tests of what an upstream change does to screens.
 */
export async function applyAnswer(pool: Pool, notifier: ChangeNotifier, details: OrderDetails): Promise<void> {
  await testWork(pool, notifier).work.run(async (tx) => {
    // the order's queue and row locked as the pipeline does (stored version, ticket number given)
    const queue = await lockQueue(tx.conn, details);
    await applyOrders(tx, [{ details, storedVersion: queue.storedVersion, ticketed: queue.ticketed }], new Date(), { zones: createMerchantZones('UTC'), menus: createMenuCache() });
  });
}

export interface Running {
  http: HttpServer;
  hub: PushHub;
  port: number;
  base: string;
  wsBase: string;
  close(): Promise<void>;
  work: UnitOfWork;
}

export interface ServerOptions {
  port?: number;
  hub?: PushHubOptions;
  readiness?: () => Promise<Record<string, boolean>>;
  /** Default: the production defaults (DEFAULT_RATE_LIMITS). */
  limits?: RateLimits;
  revocations?: RevocationCheck;
  ops?: OpsAccessConfig;
  routers?: Parameters<typeof createHttpServer>[0]['routers'];
  recallWindowS?: number;
  /** open sockets and kitchen screens across instances (src/presence/build.ts); default: the hub's own */
  presence?: Presence;
  /** more routers that need the server's unit of work (its pushes reach this server's screens) */
  routersWith?: (work: UnitOfWork) => NonNullable<Parameters<typeof createHttpServer>[0]['routers']>;
}

export async function startServer(pool: Pool, opts: ServerOptions = {}): Promise<Running> {
  const auth: TokenAuth = createTokenAuth(KEY, opts.revocations);
  const limiters = createLimiters(opts.limits);
  const hub = createPushHub({
    pool, auth, limiters, boardDays: 3, log: silentLogger, ...(opts.presence ? { presence: opts.presence } : {}),
  }, opts.hub);
  const config = testConfig(opts.recallWindowS !== undefined ? { RECALL_WINDOW_S: String(opts.recallWindowS) } : {});
  const { work } = testWork(pool, hub, config);
  // the routes every page calls (held orders, the merchant's language); this poller never ticks
  const pages = startFiring(pool, work, '0 0 0 1 1 *');
  const http = createHttpServer(
    {
      pool, auth, limiters, boardDays: 3, log: silentLogger, work,
      ...(opts.ops ? { ops: opts.ops } : {}),
      routers: [buildKitchen({ config, pool, work }).routes, ...workflowRouters(pool, pages), ...(opts.routers ?? []), ...(opts.routersWith?.(work) ?? [])],
      readiness: opts.readiness ?? (() => Promise.resolve({ mysql: true, kafka: true, zookeeper: true })),
      metricsText: () => Promise.resolve(`kds_ws_clients ${hub.clientCount()}\n`),
    },
    hub,
  );
  const port = await http.listen(opts.port ?? 0, '127.0.0.1');
  return {
    http, hub, port, work,
    base: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}/ws`,
    close: async () => {
      await http.close(1000);
      await pages.stop();
    },
  };
}

export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Frame {
  type: string;
  seq: number;
  [k: string]: unknown;
}

/** A screen stand-in: collects every frame it gets. */
export class Screen {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString('utf8')) as Frame));
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  wait(pred: (f: Frame[]) => boolean, what: string, timeoutMs = 5000): Promise<true> {
    return waitUntil(() => pred(this.frames), what, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.once('close', r));
    this.ws.close();
    await closed;
  }
}

export async function api(
  base: string,
  method: string,
  path: string,
  tok?: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(tok !== undefined ? { authorization: `Bearer ${tok}` } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json };
}

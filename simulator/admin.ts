// Admin HTTP API of the simulator, so another process (traffic generator, demo, benchmarks) can
// load orders, flip switches and read statistics. Everything under /admin; never counted in stats.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequest, readJson, sendError, sendJson } from './http-util';
import type { SimStats } from './stats';
import { VersionConflictError } from './store';
import { parseSwitches, type Switches } from './switches';
import type { OrderBody } from './types';
import { ID_PATTERN, parseOrderBody } from './validate';

/** What the admin API needs from the simulator. */
export interface AdminTarget {
  putOrders(orders: readonly OrderBody[]): void;
  getOrder(orderId: string): OrderBody | undefined;
  versions(orderId: string): number[];
  setGlobal(switches: Partial<Switches>): void;
  setOrderSwitches(orderId: string, switches: Partial<Switches>): void;
  clearSwitches(): void;
  switches(): { global: Partial<Switches>; perOrder: Record<string, Partial<Switches>> };
  stats(): SimStats;
  resetStats(): void;
}

function orderOrThrow(v: unknown, at: string): OrderBody {
  const parsed = parseOrderBody(v, at);
  if (!parsed.ok) throw new BadRequest(parsed.error);
  return parsed.value;
}

function switchesOrThrow(v: unknown): Partial<Switches> {
  const parsed = parseSwitches(v);
  if (!parsed.ok) throw new BadRequest(parsed.error);
  return parsed.value;
}

function idOrThrow(id: string): string {
  if (!ID_PATTERN.test(id)) throw new BadRequest(`order id "${id}" must be 1-64 chars of [A-Za-z0-9_-]`);
  return id;
}

async function route(method: string, seg: string[], req: IncomingMessage, res: ServerResponse, sim: AdminTarget): Promise<void> {
  const [, what, id, extra] = seg;
  const ok = (body: unknown): void => sendJson(res, 200, JSON.stringify(body));
  if (what === 'orders' && id === undefined && method === 'POST') {
    const body = await readJson(req);
    if (!Array.isArray(body)) throw new BadRequest('body must be a JSON array of orders');
    const orders = body.map((o, i) => orderOrThrow(o, `[${i}]`));
    sim.putOrders(orders);
    return ok({ written: orders.length });
  }
  if (what === 'orders' && id !== undefined && extra === undefined) {
    idOrThrow(id);
    if (method === 'PUT') {
      const order = orderOrThrow(await readJson(req), 'order');
      if (order.orderId !== id) throw new BadRequest(`orderId "${order.orderId}" differs from the path id "${id}"`);
      sim.putOrders([order]);
      return ok({ written: 1 });
    }
    if (method === 'GET') {
      const order = sim.getOrder(id);
      if (order === undefined) return sendError(res, 404, 'not_found');
      return ok({ order, versions: sim.versions(id) });
    }
  }
  if (what === 'switches' && extra === undefined) {
    if (method === 'GET' && id === undefined) return ok(sim.switches());
    if (method === 'DELETE' && id === undefined) {
      sim.clearSwitches();
      return ok(sim.switches());
    }
    if (method === 'PUT') {
      const sw = switchesOrThrow(await readJson(req));
      if (id === undefined) sim.setGlobal(sw);
      else sim.setOrderSwitches(idOrThrow(id), sw);
      return ok(sim.switches());
    }
  }
  if (what === 'stats' && extra === undefined) {
    if (method === 'GET' && id === undefined) return ok(sim.stats());
    if (method === 'POST' && id === 'reset') {
      sim.resetStats();
      return ok(sim.stats());
    }
  }
  sendError(res, 404, `no admin route ${method} /${seg.join('/')}`);
}

export async function handleAdmin(seg: string[], req: IncomingMessage, res: ServerResponse, sim: AdminTarget): Promise<void> {
  try {
    await route(req.method ?? 'GET', seg, req, res, sim);
  } catch (err) {
    if (res.headersSent) return;
    if (err instanceof BadRequest) return sendError(res, err.status, err.message);
    if (err instanceof VersionConflictError) return sendError(res, 409, err.message);
    sendError(res, 500, (err as Error).message);
  }
}

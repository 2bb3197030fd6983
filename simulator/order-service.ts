// Order-service simulator: `GET /orders/{orderId}` per order-service.md over an in-memory store,
// with fault switches (latency, errors, 404s, stale replicas, resets, hangs) and call statistics.
// Used in-process by tests and over its admin API by the traffic generator, demo and benchmarks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin, type AdminTarget } from './admin';
import { pathSegments, sendError, sendJson } from './http-util';
import { decideRead } from './read';
import { createStatsRecorder, monitorLoopDelay, type SimStats } from './stats';
import { createOrderStore } from './store';
import { parseSwitches, resolveSwitches, sampleLatency, type Switches } from './switches';
import type { OrderBody } from './types';
import { parseOrderBody } from './validate';

export type { SimStats } from './stats';
export type { Latency, StaleMode, Switches } from './switches';
export type { OrderBody } from './types';

export interface OrderServiceSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Source of randomness for errorRate and latency ranges; Math.random by default. */
  random?: () => number;
}

export interface OrderServiceSimulator extends AdminTarget {
  readonly url: string;
  readonly port: number;
  /** Throws on an invalid body or a version not above the stored one. */
  putOrder(order: OrderBody): void;
  callsFor(orderId: string): number;
  close(): Promise<void>;
}

const RETRY_AFTER: Record<number, string> = { 429: '1', 503: '1' };

function checked(switches: Partial<Switches>): Partial<Switches> {
  const parsed = parseSwitches(switches);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export async function createOrderServiceSimulator(opts: OrderServiceSimulatorOptions = {}): Promise<OrderServiceSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const random = opts.random ?? Math.random;
  const now = (): number => performance.now();
  const store = createOrderStore(now);
  const loopDelay = monitorLoopDelay();
  const stats = createStatsRecorder(now, loopDelay);
  let global: Partial<Switches> = {};
  const perOrder = new Map<string, Partial<Switches>>();
  // Latency timers, cleared on close so a pending delay doesn't keep the process alive.
  const timers = new Set<NodeJS.Timeout>();

  function answerRead(req: IncomingMessage, res: ServerResponse, orderId: string, sw: Switches): void {
    const outcome = decideRead(sw, store.recordRead(orderId), now(), random);
    switch (outcome.kind) {
      case 'hang':
        stats.outcome('hang');
        return;
      case 'reset':
        stats.outcome('reset');
        req.socket.destroy();
        return;
      case 'error': {
        stats.outcome(String(outcome.status));
        const retryAfter = RETRY_AFTER[outcome.status];
        const body = JSON.stringify({ error: outcome.status === 429 ? 'rate_limited' : 'unavailable' });
        sendJson(res, outcome.status, body, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
        return;
      }
      case 'not_found':
        stats.outcome('404');
        sendJson(res, 404, '{"error":"not_found"}');
        return;
      case 'ok':
        stats.outcome('200');
        sendJson(res, 200, outcome.json);
    }
  }

  function handleRead(req: IncomingMessage, res: ServerResponse, orderId: string): void {
    const end = stats.begin(orderId);
    let gone = false;
    res.once('close', () => {
      gone = true;
      end();
    });
    const sw = resolveSwitches(global, perOrder.get(orderId));
    const delay = sampleLatency(sw.latencyMs, random);
    const answer = (): void => {
      // The client may have given up during the delay (its timeout): nothing left to answer.
      if (gone) stats.outcome('aborted');
      else answerRead(req, res, orderId, sw);
    };
    if (delay <= 0) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, delay);
    timers.add(timer);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const seg = pathSegments(req.url);
    if (seg === null) return sendError(res, 400, 'path is not valid percent-encoding');
    if (seg[0] === 'orders' && seg.length === 2) {
      if (req.method !== 'GET') return sendError(res, 405, 'method_not_allowed');
      return handleRead(req, res, seg[1] as string);
    }
    if (seg[0] === 'admin') {
      void handleAdmin(seg, req, res, sim);
      return;
    }
    if (seg[0] === 'health' && seg.length === 1) return sendJson(res, 200, JSON.stringify({ ok: true, orders: store.size() }));
    sendError(res, 404, 'no_route');
  }

  const server = createServer({ keepAlive: true }, handle);
  // Callers keep connections alive between reads; keep them a little longer than undici's 4 s
  // default so the server is never the side that closes a socket a client is about to reuse.
  server.keepAliveTimeout = 10_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const sim: OrderServiceSimulator = {
    url: `http://${urlHost}:${port}`,
    port,
    putOrder(order) {
      sim.putOrders([order]);
    },
    putOrders(orders) {
      const valid = orders.map((o, i) => {
        const parsed = parseOrderBody(o, `orders[${i}]`);
        if (!parsed.ok) throw new Error(parsed.error);
        return parsed.value;
      });
      store.putMany(valid);
    },
    getOrder(orderId) {
      const versions = store.get(orderId)?.versions;
      const latest = versions?.[versions.length - 1];
      return latest === undefined ? undefined : (JSON.parse(latest.json) as OrderBody);
    },
    versions: (orderId) => (store.get(orderId)?.versions ?? []).map((v) => v.version),
    setGlobal(switches) {
      global = { ...global, ...checked(switches) };
      store.resetAllReadCounters();
    },
    setOrderSwitches(orderId, switches) {
      perOrder.set(orderId, { ...perOrder.get(orderId), ...checked(switches) });
      store.resetReadCounters(orderId);
    },
    clearSwitches() {
      global = {};
      perOrder.clear();
      store.resetAllReadCounters();
    },
    switches: () => ({ global: { ...global }, perOrder: Object.fromEntries(perOrder) }),
    stats: (): SimStats => stats.snapshot(),
    callsFor: (orderId) => stats.callsFor(orderId),
    resetStats: () => stats.reset(),
    async close() {
      loopDelay.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging reads and idle keep-alive sockets would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
  return sim;
}

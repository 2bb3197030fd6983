// Clients of the simulator for other code: an in-process OrderWriter and an HTTP client of the
// admin API (traffic generator, demo, benchmarks running in another process).
import type { OrderServiceSimulator } from './order-service';
import type { SimStats } from './stats';
import type { Switches } from './switches';
import type { OrderWriter } from './traffic';
import type { OrderBody } from './types';

/** Writes straight into a simulator in the same process (tests). */
export function inProcessWriter(sim: Pick<OrderServiceSimulator, 'putOrders'>): OrderWriter {
  return {
    putOrders(bodies) {
      sim.putOrders(bodies);
      return Promise.resolve();
    },
  };
}

export interface SimulatorAdminClient extends OrderWriter {
  getOrder(orderId: string): Promise<{ order: OrderBody; versions: number[] } | undefined>;
  setGlobal(switches: Partial<Switches>): Promise<void>;
  setOrderSwitches(orderId: string, switches: Partial<Switches>): Promise<void>;
  clearSwitches(): Promise<void>;
  stats(): Promise<SimStats>;
  resetStats(): Promise<void>;
}

// Large enough to amortise the round trip, small enough to keep each request well under the
// simulator's 64 MB body limit (an order body is ~1 KB).
const CHUNK = 2000;

export function createSimulatorAdminClient(baseUrl: string): SimulatorAdminClient {
  const base = baseUrl.replace(/\/+$/, '');

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    }
    const res = await fetch(`${base}${path}`, init);
    if (!res.ok && res.status !== 404) {
      throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    }
    return res;
  }

  async function send(method: string, path: string, body?: unknown): Promise<void> {
    const res = await call(method, path, body);
    if (res.status === 404) throw new Error(`simulator ${method} ${path}: 404 ${await res.text()}`);
    await res.arrayBuffer();
  }

  return {
    async putOrders(bodies) {
      for (let i = 0; i < bodies.length; i += CHUNK) {
        await send('POST', '/admin/orders', bodies.slice(i, i + CHUNK));
      }
    },
    async getOrder(orderId) {
      const res = await call('GET', `/admin/orders/${encodeURIComponent(orderId)}`);
      if (res.status === 404) {
        await res.arrayBuffer();
        return undefined;
      }
      return (await res.json()) as { order: OrderBody; versions: number[] };
    },
    setGlobal: (sw) => send('PUT', '/admin/switches', sw),
    setOrderSwitches: (orderId, sw) => send('PUT', `/admin/switches/${encodeURIComponent(orderId)}`, sw),
    clearSwitches: () => send('DELETE', '/admin/switches'),
    async stats() {
      const res = await call('GET', '/admin/stats');
      return (await res.json()) as SimStats;
    },
    resetStats: () => send('POST', '/admin/stats/reset'),
  };
}

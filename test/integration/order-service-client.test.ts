// The order-service client over real HTTP against the simulator: every answer of the contract is
// classified where it enters (RetriableError code or PermanentError), timeouts and resets included,
// and kept-alive sockets the server has closed are not reported as failures.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PermanentError, RetriableError } from '../../src/errors';
import { createOrderServiceClient, type OrderSource } from '../../src/order-service/client';
import { createCallGate } from '../../src/order-service/limiter';
import { createOrderServiceSimulator, type OrderServiceSimulator } from '../../simulator/order-service';
import type { OrderBody } from '../../simulator/types';

let sim: OrderServiceSimulator;
let client: OrderSource;
let seq = 0;

function seeded(): string {
  const id = `OC-${++seq}`;
  const body: OrderBody = {
    orderId: id, merchantId: 'M0001', tableNo: null, status: 'PLACED', version: 1,
    placedAt: '2026-11-22T11:58:40.000Z', updatedAt: '2026-11-22T11:58:40.000Z',
    items: [{ itemId: `${id}-1`, dishId: 'D1', name: 'Dan Dan 担担面', quantity: 1, station: 'wok', note: '🌶️', status: 'ACTIVE' }],
  };
  sim.putOrder(body);
  return id;
}

function clientFor(baseUrl: string, timeoutMs = 300): OrderSource {
  return createOrderServiceClient({ baseUrl, timeoutMs, gate: createCallGate({ maxConcurrent: 8, maxPerSecond: 1000 }) });
}

async function failure(p: Promise<unknown>): Promise<RetriableError | PermanentError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RetriableError || err instanceof PermanentError) return err;
    throw err;
  }
  assert.fail('the call succeeded');
}

/** A one-route server answering with a fixed status and body. */
async function fixedServer(status: number, body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

before(async () => {
  sim = await createOrderServiceSimulator();
  client = clientFor(`${sim.url}/`);
});
after(async () => {
  await sim.close();
});

describe('order-service client', () => {
  it('parses a 200 answer, Unicode included', async () => {
    const id = seeded();
    const d = await client.fetchOrder(id);
    assert.equal(d.orderId, id);
    assert.equal(d.version, 1);
    assert.equal(d.items[0]?.name, 'Dan Dan 担担面');
    assert.equal(d.items[0]?.note, '🌶️');
  });

  it('classifies 404, 429 and 5xx as retriable with their codes', async () => {
    assert.equal((await failure(client.fetchOrder('OC-unknown'))).code, 'not_found');
    const id = seeded();
    sim.setOrderSwitches(id, { errorStatus: 429 });
    assert.equal((await failure(client.fetchOrder(id))).code, 'throttled');
    sim.setOrderSwitches(id, { errorStatus: 503 });
    assert.equal((await failure(client.fetchOrder(id))).code, 'server_error');
  });

  it('a hung call is a timeout, a reset is a connection failure; neither is retried by the client', async () => {
    const hung = seeded();
    sim.setOrderSwitches(hung, { hang: true });
    // the simulator never answers this read: only the client's own timeout can end it
    const err = await failure(client.fetchOrder(hung));
    assert.ok(err instanceof RetriableError);
    assert.equal(err.code, 'timeout');

    const reset = seeded();
    sim.setOrderSwitches(reset, { resetConnections: true });
    // the first call opens a fresh socket: its reset is a failure, not a stale keep-alive
    const fresh = clientFor(sim.url);
    assert.equal((await failure(fresh.fetchOrder(reset))).code, 'connection');
    assert.equal(sim.callsFor(reset), 1);
  });

  it('a refused connection is a retriable connection failure', async () => {
    const closed = await fixedServer(200, '{}');
    const url = closed.url;
    await closed.close();
    const err = await failure(clientFor(url).fetchOrder('OC-x'));
    assert.ok(err instanceof RetriableError);
    assert.equal(err.code, 'connection');
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('a body that is not JSON, or not the order asked for, breaks the contract (permanent)', async () => {
    const notJson = await fixedServer(200, '<html>oops</html>');
    const other = await fixedServer(200, JSON.stringify({ orderId: 'someone-else' }));
    const teapot = await fixedServer(418, '{}');
    try {
      const a = await failure(clientFor(notJson.url).fetchOrder('OC-1'));
      assert.ok(a instanceof PermanentError);
      assert.match(a.message, /not JSON/);
      const b = await failure(clientFor(other.url).fetchOrder('OC-1'));
      assert.ok(b instanceof PermanentError);
      assert.match(b.message, /someone-else/);
      const c = await failure(clientFor(teapot.url).fetchOrder('OC-1'));
      assert.ok(c instanceof PermanentError);
      assert.match(c.message, /418/);
    } finally {
      await Promise.all([notJson.close(), other.close(), teapot.close()]);
    }
  });

  it('reuses kept-alive sockets, and a socket the server closed meanwhile costs no failure', async () => {
    // A server that drops every connection on its second request: exactly what a client sees
    // when it reuses a kept-alive socket the server has just closed. GET is sent again on a new
    // socket, once, instead of failing the event.
    let connections = 0;
    const server = createServer((req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) return void socket.destroy();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1000);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await failure(c.fetchOrder('OC-1'))).code, 'not_found', `call ${i}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.equal(connections, 5, 'each call after the first found its socket reset and opened a new one');
    // with the server's keep-alive longer than the pauses, sequential calls share one socket
    let kept = 0;
    const steady = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
    steady.on('connection', () => (kept += 1));
    await new Promise<void>((r) => steady.listen(0, '127.0.0.1', r));
    const k = clientFor(`http://127.0.0.1:${(steady.address() as AddressInfo).port}`, 1000);
    try {
      for (let i = 0; i < 10; i++) assert.equal((await failure(k.fetchOrder('OC-1'))).code, 'not_found');
    } finally {
      steady.closeAllConnections();
      await new Promise<void>((r) => steady.close(() => r()));
    }
    assert.equal(kept, 1);
  });
});

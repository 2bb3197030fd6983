// The poison suite (issue 11): records and answers the contracts allow, or that break them in ways
// nobody expects, each alone on its partition in front of a valid order. Whatever becomes of the
// poison (applied, parked FAILED, dead-lettered), the valid order behind it must get through within
// seconds: nothing stalls a partition. The order service here is a tiny HTTP server of raw answers,
// since the simulator refuses to serve what breaks the contract.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Message, Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import type { Service } from '../../src/service';
import { freshDatabase, type TestDb } from '../support/db';
import { body, eventFor, record } from '../support/events';
import { createTopic, producer, randomTopic } from '../support/kafka';
import { orderRow } from '../support/orders';
import { startTestService } from '../support/service';
import { waitFor } from '../support/wait';

/** orderId → the JSON body answered (a string is sent as it is), or a status with no body. */
const answers = new Map<string, unknown>();

function rawOrderService(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const a = answers.get(id);
    if (a === undefined || typeof a === 'number') {
      res.writeHead(typeof a === 'number' ? a : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof a === 'string' ? a : JSON.stringify(a));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

describe('poison records and answers never stall a partition', () => {
  let db: TestDb;
  let service: Service;
  let prod: Producer;
  let orders: Server;
  const topic = randomTopic('test_order');
  let partition = 0;

  before(async () => {
    db = await freshDatabase('poison');
    const svc = await rawOrderService();
    orders = svc.server;
    await createTopic(topic, 6);
    prod = await producer();
    ({ service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: svc.url }));
  });

  after(async () => {
    await service?.close();
    await prod?.disconnect();
    await new Promise((r) => orders?.close(r));
    await db?.drop();
  });

  /** Sends the poison, then a valid order, on a partition of their own; waits for the valid one. */
  async function inFrontOfValid(poison: Message): Promise<void> {
    const p = partition++;
    const valid = body(`VALID-${p}`, 1);
    answers.set(valid.orderId, valid);
    await prod.send({
      topic, acks: -1,
      messages: [{ ...poison, partition: p }, { ...record(eventFor(valid, 'ORDER_PLACED')), partition: p }],
    });
    await waitFor(`the valid order behind the poison on partition ${p}`, async () => (await orderRow(db.pool, valid.orderId)) !== undefined, 15_000);
  }

  const entryOf = async (orderId: string): Promise<RowDataPacket | undefined> =>
    (await db.pool.query<RowDataPacket[]>('SELECT status, last_error, occurred_at FROM retry_entries WHERE order_id = ?', [orderId]))[0][0];

  it('a wrong-environment record with a 12 KB binary header is dead-lettered whole', async () => {
    // control bytes: each is 6 bytes of JSON (\u00XX), so the headers' JSON is ~66 KB, beyond TEXT
    const header = Buffer.from(Array.from({ length: 12 * 1024 }, (_, i) => i % 32));
    const e = eventFor(body('POISON-ENV', 1), 'ORDER_PLACED');
    await inFrontOfValid({ key: e.orderId, value: JSON.stringify(e), headers: { env: 'prod', blob: header } });
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT reason, LENGTH(headers) AS n FROM dead_letters WHERE record_key = 'POISON-ENV'");
    assert.equal(rows[0]?.reason, 'wrong_env');
    assert.ok(Number(rows[0]?.n) > 65_535, `the headers are kept whole (${String(rows[0]?.n)} bytes)`);
  });

  it('an answer with version 4294967296 is applied: versions are BIGINT', async () => {
    const b = body('POISON-VERSION', 4_294_967_296);
    answers.set(b.orderId, b);
    await inFrontOfValid(record(eventFor(b, 'ORDER_PAID')));
    assert.equal((await orderRow(db.pool, b.orderId))?.version, 4_294_967_296);
  });

  it('an answer with a quantity of 4294967296 parks the event FAILED (mailed), not retried in place', async () => {
    const b = body('POISON-QTY', 1);
    answers.set(b.orderId, { ...b, items: b.items.map((it) => ({ ...it, quantity: 4_294_967_296 })) });
    await inFrontOfValid(record(eventFor(b, 'ORDER_PLACED')));
    const entry = await waitFor('the FAILED entry', async () => (await entryOf(b.orderId))?.status === 'FAILED' && entryOf(b.orderId));
    assert.match(String(entry?.last_error), /quantity/);
  });

  it('an event of year 0 (in UTC before year 1) whose read fails is parked, its time clamped for the column', async () => {
    const e = { ...eventFor(body('POISON-YEAR0', 1), 'ORDER_PLACED'), occurredAt: '0000-01-01T00:00:00+00:01' };
    answers.set(e.orderId, 404);
    await inFrontOfValid(record(e));
    const entry = await waitFor('the parked entry', () => entryOf(e.orderId));
    assert.equal(entry?.status, 'PENDING');
    assert.equal((entry?.occurred_at as Date).getUTCFullYear(), 1000);
    const [raw] = await db.pool.query<RowDataPacket[]>("SELECT raw_event FROM retry_entries WHERE order_id = 'POISON-YEAR0'");
    assert.match(String(raw[0]?.raw_event), /0000-01-01T00:00:00\+00:01/, 'the event itself is kept exactly');
  });

  it('an error text far beyond TEXT (multi-byte) is cut by bytes and stored', async () => {
    const b = body('POISON-LONGERR', 1);
    // the answer names another order with a 100,000-character CJK id: the error quotes it
    answers.set(b.orderId, { ...b, orderId: '订'.repeat(100_000) });
    await inFrontOfValid(record(eventFor(b, 'ORDER_PLACED')));
    const entry = await waitFor('the FAILED entry', async () => (await entryOf(b.orderId))?.status === 'FAILED' && entryOf(b.orderId));
    const bytes = Buffer.byteLength(String(entry?.last_error), 'utf8');
    assert.ok(bytes <= 65_535 && bytes > 60_000, `last_error is ${bytes} bytes`);
    assert.match(String(entry?.last_error), /truncated\]$/);
  });
});

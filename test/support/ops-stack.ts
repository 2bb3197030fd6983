// The on-call console's stack for tests: the real service (startTestService) over real Kafka,
// MariaDB and ZooKeeper, with a tiny order service of raw answers (the simulator refuses to serve
// what breaks the contract), and the ways a night goes wrong: a FAILED retry entry with events
// behind it, a malformed record, and a record the database refuses even to park (a trigger on
// retry_entries stands in for a schema the data does not fit).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Producer } from 'kafkajs';
import { signToken } from '../../src/auth/token';
import type { Service } from '../../src/service';
import { freshDatabase, type TestDb } from './db';
import { body, eventFor, record } from './events';
import { createTopic, producer, randomTopic } from './kafka';
import { startTestService, TEST_KEY } from './service';

export interface OpsStack {
  db: TestDb;
  service: Service;
  prod: Producer;
  topic: string;
  base: string;
  admin: string;
  /** orderId → the JSON body answered (a string is sent as it is), or a status with no body. */
  answers: Map<string, unknown>;
  send(...messages: Message[]): Promise<void>;
  call(method: string, path: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** Parking of orders whose id starts with `prefix` is refused with `message` (errno 1406). */
  refuseParking(prefix: string, message: string): Promise<void>;
  allowParking(): Promise<void>;
  close(): Promise<void>;
}

function rawOrderService(answers: Map<string, unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').split('?')[0]?.split('/').pop() ?? '');
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

export async function startOpsStack(label: string, env: Record<string, string> = {}): Promise<OpsStack> {
  const answers = new Map<string, unknown>();
  const db = await freshDatabase(label);
  const orders = await rawOrderService(answers);
  const topic = randomTopic('test_order');
  await createTopic(topic, 2);
  const prod = await producer();
  const { service } = await startTestService({ dbUrl: db.url, topic, orderServiceUrl: orders.url, env });
  const base = `http://127.0.0.1:${service.httpPort}`;
  const admin = signToken({ role: 'admin' }, TEST_KEY);
  return {
    db, service, prod, topic, base, admin, answers,
    async send(...messages) {
      await prod.send({ topic, acks: -1, messages });
    },
    async call(method, path) {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
      return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
    },
    async refuseParking(prefix, message) {
      await db.pool.query('DROP TRIGGER IF EXISTS refuse_parking');
      // a trigger body is one compound statement: sent whole, its inner ';' needs no DELIMITER
      await db.pool.query(
        `CREATE TRIGGER refuse_parking BEFORE INSERT ON retry_entries FOR EACH ROW
           IF NEW.order_id LIKE ${db.pool.escape(`${prefix}%`)} THEN
             SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 1406, MESSAGE_TEXT = ${db.pool.escape(message)};
           END IF`,
      );
    },
    async allowParking() {
      await db.pool.query('DROP TRIGGER IF EXISTS refuse_parking');
    },
    async close() {
      await service.close();
      await prod.disconnect();
      await new Promise((r) => orders.server.close(r));
      await db.drop();
    },
  };
}

/** An order whose first event FAILED at once (its answer breaks the contract), with `behind` events parked behind it. */
export async function failedOrder(s: OpsStack, orderId: string, behind: number): Promise<void> {
  s.answers.set(orderId, { ...body(orderId, 1), items: 'not a list' });
  const evs = Array.from({ length: behind + 1 }, (_, i) => eventFor(body(orderId, i + 1), i === 0 ? 'ORDER_PLACED' : 'ORDER_PAID'));
  await s.send(...evs.map((e) => record(e)));
}

/** Bytes that are not UTF-8 (and not JSON): a dead letter `not_json` whose value shows as hex. */
export const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x6f, 0xc3, 0x28, 0x00, 0x41]);

// Events in flight together are peeked with one query and decided in one transaction per group
// (src/pipeline/group-runner.ts, write-group.ts). Each event is still decided on its own: applied,
// duplicate, parked behind its order's queue, or parked as a failed head, across merchants whose
// seqs stay gap-free; and an event the database refuses fails alone, not its group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import type { Pool } from '../../src/db/pool';
import { markDish } from '../../src/dishes/mark';
import type { OrderSource } from '../../src/order-service/client';
import { createEventProcessor, type Outcome } from '../../src/pipeline/process-event';
import type { OrderEvent } from '../../simulator/scenario';
import { body, eventFor } from '../support/events';
import { count, orderRow, retryEntries } from '../support/orders';
import { noChanges, orderWithEvents, startRetryKit, type RetryKit } from '../support/retry-kit';
import { createUnitOfWork } from '../../src/changes/unit-of-work';
import { createPool } from '../../src/db/pool';
import { errorKind } from '../../src/errors';
import { startTcpProxy } from '../support/tcp-proxy';

/** The pool, counting the transactions the processor opens (one connection each). */
function countingPool(pool: Pool): { pool: Pool; transactions: () => number } {
  let n = 0;
  const counted = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'getConnection') {
        return () => {
          n += 1;
          return target.getConnection();
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { pool: counted, transactions: () => n };
}

async function seqsOf(pool: Pool, merchantId: string): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT seq FROM change_log WHERE merchant_id = ? ORDER BY seq', [merchantId]);
  return rows.map((r) => Number(r.seq));
}

const run = (p: ReturnType<typeof createEventProcessor>, events: readonly OrderEvent[]): Promise<PromiseSettledResult<Outcome>[]> =>
  Promise.allSettled(events.map((event) => p({ event, raw: JSON.stringify(event), source: 'test' })));

describe('group writes', () => {
  let kit: RetryKit;
  before(async () => {
    kit = await startRetryKit('groupwrite');
  });
  after(async () => {
    await kit.close();
  });

  it('decides every event of a group on its own, in few transactions', async () => {
    const { sim, db } = kit;
    const plain = kit.processor();
    // already stored at version 2: its v1 and v2 are duplicates (no read)
    const stored = orderWithEvents(sim, 'G-stored', 2);
    assert.deepEqual(await run(plain, stored.slice(1)).then((r) => r.map((x) => x.status)), ['fulfilled']);
    // a queue already waiting in the retry table: its next event parks behind, without a read
    const blocked = orderWithEvents(sim, 'G-blocked', 2);
    sim.setOrderSwitches('G-blocked', { errorStatus: 503 });
    assert.equal((await run(plain, [blocked[0] as OrderEvent]))[0]?.status, 'fulfilled');
    const callsBlocked = sim.callsFor('G-blocked');
    // a read that fails now
    const failing = orderWithEvents(sim, 'G-failing', 1);
    sim.setOrderSwitches('G-failing', { errorStatus: 503 });
    // new orders of three merchants
    const fresh = Array.from({ length: 30 }, (_, i) => orderWithEvents(sim, `G-new-${i}`, 1, `GM${i % 3}`)[0] as OrderEvent);

    const { pool, transactions } = countingPool(db.pool);
    const groups: number[] = [];
    const processor = createEventProcessor({
      pool, orders: kit.client, work: createUnitOfWork({ pool, notifier: noChanges }),
      retry: { maxAttempts: 7, delayMs: () => 60_000 },
      groups: { group: (events) => groups.push(events) },
    });
    const events = [...stored, blocked[1] as OrderEvent, failing[0] as OrderEvent, ...fresh];
    const results = await run(processor, events);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : `rejected: ${String(r.reason)}`));

    assert.deepEqual(outcomes.slice(0, 4), ['duplicate', 'duplicate', 'parked', 'parked']);
    assert.deepEqual(outcomes.slice(4), fresh.map(() => 'applied'));
    assert.ok(transactions() <= 12, `${events.length} events took ${transactions()} transactions`);
    // the two duplicates end at the peek; the 32 others are decided in groups, one per transaction
    assert.equal(groups.reduce((a, b) => a + b, 0), 32);
    assert.equal(groups.length, transactions());
    assert.equal(sim.callsFor('G-blocked'), callsBlocked, 'parked behind its queue without a read');
    assert.deepEqual((await retryEntries(db.pool, 'G-blocked')).map((e) => [e.eventVersion, e.queuePos]), [[1, 1], [2, 2]]);
    const [failed] = await retryEntries(db.pool, 'G-failing');
    assert.equal(failed?.status, 'PENDING');
    assert.equal(await count(db.pool, 'SELECT open_entries AS n FROM order_guards WHERE order_id = ?', ['G-failing']), 1);
    assert.equal(
      await count(db.pool, "SELECT COUNT(*) AS n FROM retry_entries WHERE order_id = 'G-failing' AND next_attempt_at > NOW(3) + INTERVAL 50 SECOND"),
      1,
      'a failed head is due at its first retry',
    );
    for (const e of fresh) assert.deepEqual(await orderRow(db.pool, e.orderId), { status: 'PLACED', version: 1 });
    // every merchant's log: 1..n without gaps, one order change and two dish changes per order
    for (let m = 0; m < 3; m++) {
      const seqs = await seqsOf(db.pool, `GM${m}`);
      assert.deepEqual(seqs, Array.from({ length: 30 }, (_, i) => i + 1), `GM${m}`);
    }
    // ticket numbers, reserved per group from the merchant-day's counter: 1..10 for each merchant,
    // none skipped or given twice (the order within a group: test/unit/tickets.test.ts)
    const [tickets] = await db.pool.query<RowDataPacket[]>(
      "SELECT order_id, merchant_id, ticket_no FROM orders WHERE order_id LIKE 'G-new-%'",
    );
    for (let m = 0; m < 3; m++) {
      const numbers = tickets.filter((t) => t.merchant_id === `GM${m}`).map((t) => Number(t.ticket_no)).sort((a, b) => a - b);
      assert.deepEqual(numbers, Array.from({ length: 10 }, (_, i) => i + 1), `GM${m}`);
    }
  });

  it('an event the database refuses fails alone, parked FAILED; the rest of its group commits', async () => {
    const { sim, db } = kit;
    const events = Array.from({ length: 12 }, (_, i) => orderWithEvents(sim, `R-${i}`, 1, 'RM1')[0] as OrderEvent);
    // a quantity beyond the column's range, as if validation had let it through
    const poisoned: OrderSource = {
      async fetchOrder(orderId) {
        const d = await kit.client.fetchOrder(orderId);
        if (orderId !== 'R-5') return d;
        return { ...d, items: d.items.map((it) => ({ ...it, quantity: 2 ** 40 })) };
      },
    };
    const results = await run(kit.processor(poisoned), events);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))),
      events.map((_, i) => (i === 5 ? 'parked' : 'applied')));
    // the database will refuse it every time: FAILED at once (mailed), not retried in place
    const [entry] = await retryEntries(db.pool, 'R-5');
    assert.equal(entry?.status, 'FAILED');
    const [err] = await db.pool.query<RowDataPacket[]>("SELECT last_error FROM retry_entries WHERE order_id = 'R-5'");
    assert.match(String(err[0]?.last_error), /mysql_1264.*range/i);
    assert.equal(await orderRow(db.pool, 'R-5'), undefined);
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM orders WHERE order_id LIKE 'R-%'"), 11);
    assert.deepEqual(await seqsOf(db.pool, 'RM1'), Array.from({ length: 33 }, (_, i) => i + 1));
  });

  it('a group written while the database is unreachable fails whole: not split into a transaction per event', async () => {
    const { sim, db } = kit;
    const events = Array.from({ length: 30 }, (_, i) => orderWithEvents(sim, `U-${i}`, 1, 'UM1')[0] as OrderEvent);
    const target = new URL(db.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
    const unreachable = createPool(proxy.via(db.url), 4);
    try {
      const { pool, transactions } = countingPool(unreachable);
      const failures: [number, string][] = [];
      const processor = createEventProcessor({
        // the peeks reach the database; the deciding transactions go through the proxy, cut
        pool: db.pool, orders: kit.client, work: createUnitOfWork({ pool, notifier: noChanges }),
        retry: { maxAttempts: 7, delayMs: () => 60_000 },
        groups: { group: () => undefined, failed: (n, handled) => failures.push([n, handled]) },
      });
      proxy.cut();
      const results = await run(processor, events);
      assert.deepEqual(results.map((r) => (r.status === 'rejected' ? errorKind(r.reason) : r.value)), events.map(() => 'infrastructure'));
      assert.ok(failures.length > 0 && failures.every(([, handled]) => handled === 'whole'), JSON.stringify(failures));
      assert.equal(failures.reduce((n, [events]) => n + events, 0), events.length, 'every event failed with its group');
      assert.equal(transactions(), failures.length, 'one connection attempt per group, none per event');
      assert.ok(proxy.refused() >= failures.length);

      // the database back: the same events apply (the consumer retries them in place)
      proxy.restore();
      const again = await run(processor, events);
      assert.deepEqual(again.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))), events.map(() => 'applied'));
      assert.deepEqual(failures.map(([, h]) => h).filter((h) => h === 'split'), []);
    } finally {
      await unreachable.end().catch(() => undefined);
      await proxy.close();
    }
  });

  it('stores and logs the largest note the contract allows, quotes and CJK included', async () => {
    const { sim, db } = kit;
    // 65,535 bytes of UTF-8; JSON-escaped in the change payload it takes ~95,000
    const note = `it's \\ "hot" \u0000\u001a\n` + '"'.repeat(30_000) + '麻'.repeat(11_830);
    const b = body('N-long', 1, { items: [{ itemId: 'N-long-1', dishId: 'D1', name: 'Tea', quantity: 1, station: 'bar', note, status: 'ACTIVE' }] });
    sim.putOrder(b);
    const [result] = await run(kit.processor(), [eventFor(b, 'ORDER_PLACED')]);
    assert.deepEqual(result, { status: 'fulfilled', value: 'applied' });
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT payload FROM change_log WHERE item_id = 'N-long-1'");
    assert.equal((JSON.parse(String(rows[0]?.payload)) as { note: string }).note, note);
    assert.equal(await count(db.pool, "SELECT COUNT(*) AS n FROM dishes WHERE item_id = 'N-long-1' AND note = ?", [note]), 1);
  });

  it('cooks marking dishes while groups rewrite the same merchants: no failure, gap-free seqs, nothing moved back', async () => {
    const { sim, db } = kit;
    // Groups lock many orders' dishes and then several merchants' seq rows; a mark locks one dish
    // and then its merchant's seq row. Same order of locks (dishes, then seqs): they may wait, never
    // deadlock into a failure.
    const ids = Array.from({ length: 60 }, (_, i) => `K-${i}`);
    const merchantOf = (i: number): string => (i % 2 === 0 ? 'KM-A' : 'KM-B');
    const v1 = ids.map((id, i) => body(id, 1, { merchantId: merchantOf(i) }));
    for (const b of v1) sim.putOrder(b);
    const p = kit.processor();
    const first = await run(p, v1.map((b) => eventFor(b, 'ORDER_PLACED')));
    assert.ok(first.every((r) => r.status === 'fulfilled' && r.value === 'applied'));

    // version 2 changes the first dish's quantity; at the same time cooks mark both dishes READY
    const v2 = v1.map((b) => body(b.orderId, 2, { merchantId: b.merchantId, items: b.items.map((it, k) => (k === 0 ? { ...it, quantity: 3 } : it)) }));
    for (const b of v2) sim.putOrder(b);
    const marks = v1.flatMap((b) => b.items.map((it) => it.itemId));
    const [applied, marked] = await Promise.all([
      run(p, v2.map((b) => eventFor(b, 'ORDER_ITEMS_CHANGED'))),
      Promise.allSettled(marks.map((itemId) => markDish({ work: createUnitOfWork({ pool: db.pool, notifier: noChanges }) }, { itemId, target: 'READY', mayAccess: () => true }))),
    ]);
    assert.deepEqual(applied.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))), ids.map(() => 'applied'));
    assert.deepEqual(marked.map((r) => (r.status === 'fulfilled' ? r.value.kind : String(r.reason))), marks.map(() => 'ok'));

    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT item_id, state, quantity, added_to FROM dishes WHERE order_id LIKE 'K-%' ORDER BY item_id");
    const dishes = rows.filter((d) => d.added_to === null);
    assert.equal(dishes.length, 120);
    assert.ok(dishes.every((d) => d.state === 'READY'), 'a mark is never undone by an upstream change');
    // a raise applied after the cook's mark sends the extra portions back as an added WAITING row
    // (docs/screens.md "Added portions"); applied before it, the dish itself has them
    const addedTo = new Map(rows.filter((d) => d.added_to !== null).map((d) => [String(d.added_to), d]));
    assert.ok([...addedTo.values()].every((d) => d.state === 'WAITING'), 'added portions are to cook');
    assert.ok(dishes.every((d) => Number(d.quantity) + Number(addedTo.get(String(d.item_id))?.quantity ?? 0) === (String(d.item_id).endsWith('-1') ? 3 : 2)), 'every upstream change applied');
    // per merchant: 30 orders × (3 changes for v1 + 2 for v2) + 60 marks = 210, numbered 1..210
    for (const m of ['KM-A', 'KM-B']) assert.deepEqual(await seqsOf(db.pool, m), Array.from({ length: 210 }, (_, i) => i + 1), m);
  });

  it('two writers numbering one merchant-day at once: every order one ticket number, none skipped or given twice', async () => {
    const { sim, db } = kit;
    // two processors (as two instances would be) apply new orders of one merchant concurrently:
    // their groups contend for the one merchant-day counter, each taking it last in its transaction
    const orders = Array.from({ length: 80 }, (_, i) => orderWithEvents(sim, `T-both-${i}`, 1, 'GT1')[0] as OrderEvent);
    const [a, b] = await Promise.all([
      run(kit.processor(), orders.filter((_, i) => i % 2 === 0)),
      run(kit.processor(), orders.filter((_, i) => i % 2 === 1)),
    ]);
    assert.deepEqual([...a, ...b].map((r) => (r.status === 'fulfilled' ? r.value : `rejected: ${String(r.reason)}`)), orders.map(() => 'applied'));
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT ticket_no FROM orders WHERE merchant_id = 'GT1' ORDER BY ticket_no");
    assert.deepEqual(rows.map((r) => Number(r.ticket_no)), Array.from({ length: 80 }, (_, i) => i + 1));
    const [[counter]] = await db.pool.query<RowDataPacket[]>("SELECT last_no FROM merchant_day_tickets WHERE merchant_id = 'GT1'");
    assert.equal(Number(counter?.last_no), 80, 'the counter ends at the last number given');
    // each order's change (and its dishes') in the log, gap-free
    assert.deepEqual(await seqsOf(db.pool, 'GT1'), Array.from({ length: 240 }, (_, i) => i + 1));
  });

  it('a later version of an order in the same group as other orders never moves it backwards', async () => {
    const { sim, db } = kit;
    const b3 = body('B-late', 3, { status: 'COMPLETED' });
    sim.putOrder(body('B-late', 1));
    sim.putOrder(body('B-late', 2));
    sim.putOrder(b3);
    const p = kit.processor();
    // v3 first (the replica already has it), then the older events arrive: all duplicates
    assert.equal((await run(p, [eventFor(b3, 'ORDER_COMPLETED')]))[0]?.status, 'fulfilled');
    const others = Array.from({ length: 5 }, (_, i) => orderWithEvents(sim, `B-other-${i}`, 1)[0] as OrderEvent);
    const older = [eventFor(body('B-late', 1), 'ORDER_PLACED'), ...others];
    const results = await run(p, older);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')), ['duplicate', ...others.map(() => 'applied')]);
    assert.deepEqual(await orderRow(db.pool, 'B-late'), { status: 'COMPLETED', version: 3 });
  });
});

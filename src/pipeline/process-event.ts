// One valid order event, from decision to commit (design notes 1 and 2):
//   1. peek without locks: an event not newer than the stored version is a duplicate (no call);
//      an order with pending retry entries is parked behind them (no call);
//   2. otherwise read the order service, holding no database lock;
//   3. in one transaction with the order's guard row locked, decide again: park behind pending
//      entries (discarding the answer), park as the head when the read failed, or apply.
// Steps 1 and 3 are shared by every event in flight at the moment: peeks go out as one query and
// decisions as one transaction per group (./group-runner, ./write-group). Events of one order are
// never in one group: the keyed scheduler runs them one after another.
// Database errors propagate: the consumer retries the record rather than committing past it.
import type { ChangeNotifier } from '../changes/append';
import { inTx, type Pool } from '../db/pool';
import type { OrderEvent } from '../events/decode';
import type { OrderSource } from '../order-service/client';
import { fetchFresh } from './fetch-fresh';
import { createGroupRunner } from './group-runner';
import { peekMany, type OrderProgress } from './sql/guard';
import { writeGroup, type GroupItem } from './write-group';

export type Outcome = 'applied' | 'duplicate' | 'parked';

/** Told about each deciding transaction (metrics implement it). */
export interface GroupObserver {
  group(events: number, seconds: number): void;
}

export interface ProcessDeps {
  pool: Pool;
  orders: OrderSource;
  notifier: ChangeNotifier;
  /** When the first retry of a newly failed event is due. */
  firstRetryAt: (now: Date) => Date;
  clock?: () => Date;
  groups?: GroupObserver;
}

export interface EventInput {
  event: OrderEvent;
  raw: string;
  source: string | null;
}

export type EventProcessor = (input: EventInput) => Promise<Outcome>;

/**
 * Group sizes. At most 200 events keep a group's transaction short (its merchant_seq locks are
 * held until commit) and its statements far below max_allowed_packet (~1,000 dish rows). Groups in
 * flight, measured on the ceiling benchmark (20,000 events, events/s, ±8 % run to run): 1 → 1,917;
 * 2 → 1,733-2,076; 3 → 2,194-2,287; 4 → 2,056-2,268; 6 → 2,066. With 3, one group is being built
 * while others wait on MariaDB, and both cores stay busy. 200-event groups with 1,024 events in
 * flight were slower (1,510/s): a longer transaction holds its locks longer.
 */
const WRITE_GROUP = { maxSize: 200, maxConcurrent: 3 };
const PEEK_GROUP = { maxSize: 500, maxConcurrent: 2 };

const fulfilled = <T>(value: T): PromiseSettledResult<T> => ({ status: 'fulfilled', value });

export function createEventProcessor(deps: ProcessDeps): EventProcessor {
  const now = deps.clock ?? (() => new Date());

  const peeks = createGroupRunner<string, OrderProgress>({
    ...PEEK_GROUP,
    async run(orderIds) {
      const found = await peekMany(deps.pool, orderIds);
      return orderIds.map((id) => fulfilled(found.get(id) ?? { storedVersion: 0, pending: 0 }));
    },
  });

  async function runGroup(items: GroupItem[]): Promise<PromiseSettledResult<Outcome>[]> {
    try {
      if (new Set(items.map((it) => it.event.orderId)).size !== items.length) {
        throw new Error('two events of one order in one group'); // the scheduler prevents it; never decide them together
      }
      const started = performance.now();
      const result = await inTx(deps.pool, (conn) => writeGroup(conn, items, { now: now(), firstRetryAt: deps.firstRetryAt }));
      deps.groups?.group(items.length, (performance.now() - started) / 1000);
      for (const [merchantId, seq] of result.seqs) deps.notifier.changed(merchantId, seq);
      return result.outcomes.map(fulfilled);
    } catch (err) {
      if (items.length === 1) return [{ status: 'rejected', reason: err }];
      // One event that the database refuses must not fail the others: decide each on its own.
      const out: PromiseSettledResult<Outcome>[] = [];
      for (const it of items) out.push(...(await runGroup([it])));
      return out;
    }
  }
  const writes = createGroupRunner<GroupItem, Outcome>({ ...WRITE_GROUP, run: runGroup });

  return async ({ event, raw, source }) => {
    const peek = await peeks.submit(event.orderId);
    if (peek.pending === 0 && peek.storedVersion >= event.version) return 'duplicate';
    const fetched = peek.pending > 0 ? undefined : await fetchFresh(deps.orders, event);
    return writes.submit({ event, raw, source, fetched });
  };
}

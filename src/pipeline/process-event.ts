// One valid order event, from decision to commit (docs/architecture.md, one event):
//   1. peek without locks: an event not newer than the stored version is a duplicate (no call);
//      an order with open retry entries is parked behind them (no call);
//   2. otherwise read the order service, holding no database lock;
//   3. in one unit of work with the order's queue locked, decide again (src/order-queue/decide.ts):
//      park behind open entries (discarding the answer), park as the head when the read failed,
//      or apply.
// Steps 1 and 3 are shared by every event in flight at the moment: peeks go out as one query and
// decisions as one transaction per group (./group-runner, ./write-group). Events of one order are
// never in one group: the keyed scheduler runs them one after another.
// Database errors propagate, classified (src/db/errors.ts): the consumer decides what to do.
import type { UnitOfWork } from '../changes/unit-of-work';
import { errorKind } from '../errors';
import type { Pool } from '../db/pool';
import { createMenuCache, type MenuCache } from '../menu/cache';
import { createMerchantZones, type MerchantZones } from '../merchant-settings/zones';
import { alreadyApplied, applyFailure, decideArrival, type QueueState, type RetryPolicy } from '../order-queue/decide';
import { lockQueue, park, peekQueues } from '../order-queue/sql';
import type { OrderSource } from '../order-service/client';
import { fetchFresh } from '../order-service/fetch-fresh';
import { createGroupRunner } from './group-runner';
import { writeGroup, type EventInput, type GroupItem, type Outcome } from './write-group';

export type { EventInput, Outcome };

/** Told about each deciding transaction (metrics implement it). */
export interface GroupObserver {
  group(events: number, seconds: number): void;
  /** A group's transaction failed: decided again one event at a time ('split'), or failed whole. */
  failed?(events: number, handled: 'split' | 'whole'): void;
}

export interface ProcessDeps {
  pool: Pool;
  orders: OrderSource;
  work: UnitOfWork;
  /** Attempts and backoff of the retry table, for events whose read fails on arrival. */
  retry: { maxAttempts: number; delayMs(retry: number): number };
  clock?: () => Date;
  groups?: GroupObserver;
  /** Merchants' time zones, for ticket numbers and local days (default: every merchant in UTC). */
  zones?: MerchantZones;
  /** Prep targets cached per menu version (default: this processor's own cache). */
  menus?: MenuCache;
}

export type EventProcessor = (input: EventInput) => Promise<Outcome>;

/**
 * Parks an event that could not be applied for a reason retrying cannot fix (the database refused
 * its data; a bug): the queue's rule makes it a FAILED head, mailed to the developers, and the
 * order waits behind it while every other order goes on. After a fix, an operator replays it.
 */
export async function parkFailedEvent(work: UnitOfWork, input: EventInput, error: unknown, policy: RetryPolicy): Promise<Outcome> {
  await work.run(async (tx) => {
    const queue = await lockQueue(tx.conn, input.event);
    const decision = decideArrival(queue, { ok: false, error: applyFailure(error) }, policy);
    if (decision.kind === 'park') await park(tx.conn, queue, { ...input, plan: decision.plan });
  });
  return 'parked';
}

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
  const merchants = { zones: deps.zones ?? createMerchantZones('UTC'), menus: deps.menus ?? createMenuCache() };

  const peeks = createGroupRunner<string, QueueState>({
    ...PEEK_GROUP,
    async run(orderIds) {
      const found = await peekQueues(deps.pool, orderIds);
      return orderIds.map((id) => fulfilled(found.get(id) as QueueState));
    },
  });
  const policy = (): RetryPolicy => ({ ...deps.retry, now: now() });

  async function runGroup(items: GroupItem[]): Promise<PromiseSettledResult<Outcome>[]> {
    try {
      if (new Set(items.map((it) => it.event.orderId)).size !== items.length) {
        throw new Error('two events of one order in one group'); // the scheduler prevents it; never decide them together
      }
      const started = performance.now();
      const outcomes = await deps.work.run((tx) => writeGroup(tx, items, policy(), merchants));
      deps.groups?.group(items.length, (performance.now() - started) / 1000);
      return outcomes.map(fulfilled);
    } catch (err) {
      // The database is unreachable or overloaded: deciding each event alone would only send 200
      // transactions one by one to a server that cannot take one. The group fails whole, and the
      // consumer retries its records in place once the database answers (src/pipeline/consumer.ts).
      if (errorKind(err) === 'infrastructure') {
        deps.groups?.failed?.(items.length, 'whole');
        return items.map(() => ({ status: 'rejected', reason: err }));
      }
      if (items.length === 1) {
        const [item] = items as [GroupItem];
        // The database refused this event's data (a value that does not fit its column): it will
        // refuse it every time, so it is parked as FAILED instead of stalling its partition.
        if (errorKind(err) !== 'permanent') return [{ status: 'rejected', reason: err }];
        try {
          return [fulfilled(await parkFailedEvent(deps.work, item, err, policy()))];
        } catch (parkErr) {
          return [{ status: 'rejected', reason: parkErr }];
        }
      }
      // One event that the database refuses (or that trips a bug) must not fail the others: decide
      // each on its own, so only that one is parked FAILED.
      deps.groups?.failed?.(items.length, 'split');
      const out: PromiseSettledResult<Outcome>[] = [];
      for (const it of items) out.push(...(await runGroup([it])));
      return out;
    }
  }
  const writes = createGroupRunner<GroupItem, Outcome>({ ...WRITE_GROUP, run: runGroup });

  return async ({ event, raw, source }) => {
    const peek = await peeks.submit(event.orderId);
    if (peek.openEntries === 0 && alreadyApplied(peek.storedVersion, event.version)) return 'duplicate';
    const fetched = peek.openEntries > 0 ? undefined : await fetchFresh(deps.orders, event);
    return writes.submit({ event, raw, source, fetched });
  };
}

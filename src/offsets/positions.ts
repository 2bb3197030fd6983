// Where this group reads a partition that has no committed offset (docs/operations.md): the offsets of
// the group's first start. The first start is recorded once per group in MySQL; the committed
// offsets and the offsets by timestamp are asked of Kafka with an admin client of our own, whose
// metadata kafkajs refreshes on every call (its admin has no metadataMaxAge), so a partition added
// a moment ago is known to it.
import type { Kafka } from 'kafkajs';
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import { insertFirstStart, selectFirstStart } from './first-start';
import { firstStartOf, floorMoment, hasPosition, type FirstStart } from './rule';

/** The two kafkajs Admin calls used (declared here; a kafkajs Admin satisfies it). */
export interface PositionsAdmin {
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<Array<{ partition: number; offset: string }>>;
}

/**
 * Runs a Kafka admin call again while it fails with an error kafkajs marks retriable, for at most
 * `forMs`. kafkajs' admin fetchOffsets does not retry by itself, and a broker that has just
 * started answers NOT_COORDINATOR_FOR_GROUP until it has loaded its group offsets (seen in
 * test/integration/faults.test.ts, which starts the service on a fresh broker).
 */
export async function retryingKafka<T>(call: () => Promise<T>, onRetry: (err: unknown, attempt: number) => void, forMs = 60_000): Promise<T> {
  const until = Date.now() + forMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as { retriable?: unknown }).retriable !== true || Date.now() >= until) throw err;
      onRetry(err, attempt);
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
    }
  }
}

async function committedOffsets(admin: PositionsAdmin, groupId: string, topic: string): Promise<Map<number, string>> {
  const groups = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((groups.find((g) => g.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

/** What the consumer asks on the first batch of each partition after each assignment (its StartPositions port). */
export interface StartPositions {
  /** The offset to start at when the group has no committed offset for the partition; undefined when it has one. */
  floorFor(partition: number): Promise<string | undefined>;
  /** Closes the admin client (the consumer calls it once it has stopped). */
  close(): Promise<void>;
}

export function createStartPositions(admin: PositionsAdmin, o: { topic: string; groupId: string; moment: number; close: () => Promise<void> }): StartPositions {
  return {
    close: o.close,
    async floorFor(partition) {
      const committed = (await committedOffsets(admin, o.groupId, o.topic)).get(partition);
      if (hasPosition(committed)) return undefined;
      const byTime = await admin.fetchTopicOffsetsByTimestamp(o.topic, o.moment);
      const floor = byTime.find((p) => p.partition === partition)?.offset;
      if (floor === undefined) throw new Error(`Kafka gave no offset of ${o.topic}/${partition} at ${new Date(o.moment).toISOString()}`);
      return floor;
    },
  };
}

/**
 * Records the group's first start (or reads the one recorded), as the moment bare partitions start
 * at. A group that already holds committed offsets started before this record existed (an upgrade):
 * its moment is the beginning of time, which skips nothing.
 */
export async function recordFirstStart(
  pool: Pool,
  admin: PositionsAdmin,
  o: { topic: string; groupId: string; fromBeginning: boolean; now?: Date; log?: Logger },
): Promise<FirstStart> {
  const known = await selectFirstStart(pool, o.groupId);
  if (known !== undefined) return known;
  const offsets = await retryingKafka(() => committedOffsets(admin, o.groupId, o.topic), (err, attempt) =>
    o.log?.warn('could not read the group\'s committed offsets yet; asking again', { err, attempt }));
  const groupHasOffsets = [...offsets.values()].some(hasPosition);
  await insertFirstStart(pool, o.groupId, firstStartOf({ now: o.now ?? new Date(), fromBeginning: o.fromBeginning, groupHasOffsets }));
  const won = await selectFirstStart(pool, o.groupId);
  if (won === undefined) throw new Error(`the first start of consumer group "${o.groupId}" was not recorded`);
  return won;
}

export interface PositionsOptions {
  kafka: Kafka;
  pool: Pool;
  topic: string;
  groupId: string;
  /** KAFKA_FROM_BEGINNING: what a group's first start records. */
  fromBeginning: boolean;
  log: Logger;
}

/** Opens an admin client (closed by close()) and reads or records the group's first start. */
export async function openStartPositions(o: PositionsOptions): Promise<StartPositions> {
  const admin = o.kafka.admin();
  await admin.connect();
  let first: FirstStart;
  try {
    first = await recordFirstStart(o.pool, admin, o);
  } catch (err) {
    await admin.disconnect();
    throw err;
  }
  const moment = floorMoment(first);
  o.log.info('consumer group start moment', {
    group: o.groupId,
    firstStartedAt: first.startedAt.toISOString(),
    fromBeginning: first.fromBeginning,
    readsFrom: first.fromBeginning ? 'the beginning' : new Date(moment).toISOString(),
  });
  return createStartPositions(admin, { topic: o.topic, groupId: o.groupId, moment, close: () => admin.disconnect() });
}

// Where a consumer group reads a partition from (docs/operations.md), as pure functions with
// a table test (test/unit/start-position.test.ts). "Latest" is a moment, not a position: the moment
// this deployment's group first started. A partition the group has no committed offset for starts
// at the first record of that moment (offsets by timestamp), which for a partition added later is
// its beginning; never at whatever is latest when some member happens to pick it up, which skips
// every record published since the group started (the lost orders of issue 17).

/**
 * How far before its first start a group still reads. Records carry the producer's clock
 * (CreateTime) and the moment is this service's clock: an order stamped by a producer a few seconds
 * behind us, published just after our first start, must not fall below the floor. Reading a
 * minute of older orders again is harmless (versions make every apply idempotent); skipping one
 * loses it.
 */
export const CLOCK_SKEW_MS = 60_000;

/** The group's first start as stored (migration 080). */
export interface FirstStart {
  startedAt: Date;
  /** The moment is the beginning of time: KAFKA_FROM_BEGINNING, or a group older than the record. */
  fromBeginning: boolean;
}

/**
 * What a first start records. `groupHasOffsets`: the group already holds committed offsets on the
 * topic, so it started before this record existed (an upgrade), at a moment nobody knows: the
 * beginning of time is the only moment that skips nothing.
 */
export function firstStartOf(o: { now: Date; fromBeginning: boolean; groupHasOffsets: boolean }): FirstStart {
  return { startedAt: o.now, fromBeginning: o.fromBeginning || o.groupHasOffsets };
}

/** The timestamp (ms) whose offsets a partition without a committed offset starts at. */
export function floorMoment(s: FirstStart): number {
  return s.fromBeginning ? 0 : Math.max(0, s.startedAt.getTime() - CLOCK_SKEW_MS);
}

/**
 * The group's committed offset of a partition as Kafka answers it (admin fetchOffsets: '-1' when
 * there is none). '-2' is what kafkajs commits when it resets an offset out of range to the
 * earliest (consumerGroup.recoverFromOffsetOutOfRange with fromBeginning): a position, "the
 * earliest record still there", not an absence.
 */
export function hasPosition(committed: string | undefined): boolean {
  if (committed === undefined || !/^-?\d+$/.test(committed)) return false;
  const n = BigInt(committed);
  return n >= 0n || n === -2n;
}

export interface Entry {
  /** Leading records of the batch that lie below the floor: resolved without being handled. */
  skip: number;
  /** The position to commit at once and resume from: the floor, or the batch's first record if later. */
  position: string;
}

/**
 * Pure: how a batch fetched for a partition without a committed offset enters at the floor.
 * kafkajs fetched it from the earliest offset (the consumer subscribes fromBeginning, so that a
 * bare partition is never read from latest); records below the floor are not this group's.
 * `offsets` are the batch's record offsets in order (non-empty: kafkajs hands no empty batch).
 */
export function enterAt(offsets: readonly string[], floor: string): Entry {
  const f = BigInt(floor);
  let skip = 0;
  while (skip < offsets.length && BigInt(offsets[skip] as string) < f) skip += 1;
  const first = offsets.length > 0 ? BigInt(offsets[0] as string) : f;
  return { skip, position: (first > f ? first : f).toString() };
}

// The first batch of a partition after an assignment meets the group's floor (docs/operations.md).
// kafkajs fetched it from the committed offset, or from the earliest record when there is none
// (the consumer subscribes fromBeginning). Without a committed offset, the records below the
// floor are resolved without being handled and the position is committed at once, so a later
// owner resumes there instead of reading from the earliest again.
//
// Race-free with kafkajs' runner (2.2.4, src/consumer): until the next rebalance only this member
// may commit for the partition (commits carry the group generation, a stale member's are refused);
// a partition's batches come one after another, each after the fetch that follows the join; and
// kafkajs commits nothing for the partition before its records are resolved, which happens only
// after this.
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '../log';
import type { StartPositions } from './positions';
import { enterAt } from './rule';

/**
 * The records of the batch the group is to handle, or undefined when it was abandoned (stopped,
 * or a rebalance) before Kafka answered. Throws when the commit is refused because the group
 * rebalanced meanwhile: kafkajs rejoins, and the next owner asks again.
 */
export async function enterAtFloor(
  p: EachBatchPayload,
  positions: StartPositions,
  o: { log: Logger; onFloor: () => void },
): Promise<readonly KafkaMessage[] | undefined> {
  const { topic, partition, messages } = p.batch;
  let floor: string | undefined;
  for (let attempt = 0; ; attempt++) {
    if (!p.isRunning() || p.isStale()) return undefined;
    try {
      floor = await positions.floorFor(partition);
      break;
    } catch (err) {
      o.log.warn('could not read where the partition starts; asking again', { topic, partition, err, attempt });
      await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** attempt)));
    }
  }
  if (floor === undefined) return messages;
  const entry = enterAt(messages.map((m) => m.offset), floor);
  // kafkajs fetches next from the resolved offset: resolve what lies below the position
  if (BigInt(entry.position) > 0n) p.resolveOffset((BigInt(entry.position) - 1n).toString());
  await p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: entry.position }] }] });
  o.onFloor();
  o.log.info('partition without a committed offset starts at the group\'s first start', {
    topic, partition, floor, position: entry.position, skipped: entry.skip, fetchedFrom: messages[0]?.offset,
  });
  return messages.slice(entry.skip);
}

// Kafka chores of the demo: the order topic must exist with its partitions before the KDS
// subscribes, and traffic must wait until the KDS's consumer group holds the partitions.
import type { Admin, Kafka } from 'kafkajs';

function errorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; errors?: unknown };
  if (typeof e.type === 'string') return e.type;
  // createTopics wraps per-topic errors in a KafkaJSAggregateError
  if (Array.isArray(e.errors)) return errorType(e.errors[0]);
  return undefined;
}

/** Creates the topic (4 partitions like the order system's); an existing one is fine as it is. */
export async function ensureTopic(kafka: Kafka, topic: string, partitions = 4): Promise<'created' | 'exists'> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // asking first keeps kafkajs from logging the broker's TOPIC_ALREADY_EXISTS as an error
    if ((await admin.listTopics()).includes(topic)) return 'exists';
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    return created ? 'created' : 'exists';
  } catch (err) {
    if (errorType(err) === 'TOPIC_ALREADY_EXISTS') return 'exists';
    throw err;
  } finally {
    await admin.disconnect();
  }
}

async function groupStable(admin: Admin, groupId: string): Promise<boolean> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  return g !== undefined && g.state === 'Stable' && g.members.length > 0;
}

/**
 * Waits until the group is Stable with a member. The KDS starts at the latest offset when its
 * group has none committed yet (a first run), so records sent before it holds the partitions
 * would be skipped. Resolves false after timeoutMs (the demo then goes on anyway).
 */
export async function waitForGroup(kafka: Kafka, groupId: string, timeoutMs: number, onSlow: () => void): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const start = Date.now();
    let told = false;
    while (Date.now() < start + timeoutMs) {
      if (await groupStable(admin, groupId)) return true;
      if (!told && Date.now() - start > 3_000) {
        told = true;
        onSlow();
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

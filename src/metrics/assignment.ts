// Which partitions this instance owns in the consumer group, so that each instance exports the lag
// of its own partitions only and sum(kds_consumer_lag) over instances counts every partition once.
// Ownership follows kafkajs' group events: GROUP_JOIN carries the assignment of the generation just
// joined; REBALANCING, STOP, DISCONNECT and CRASH mean it is no longer ours. Between a rebalance and
// the next join this instance reports no lag at all: a partition briefly reported by nobody is a
// gap in a graph, a partition reported by two is a doubled alert.
import type { Consumer } from 'kafkajs';

/** Partitions by topic, as kafkajs' GROUP_JOIN payload has them (`memberAssignment`). */
export type MemberAssignment = Readonly<Record<string, readonly number[]>>;

export interface PartitionAssignment {
  /** The partitions of topic this instance owns now; empty between generations. */
  owned(topic: string): ReadonlySet<number>;
  /** How many partitions (all topics) this instance owns now. */
  count(): number;
  joined(assignment: MemberAssignment): void;
  lost(): void;
}

const NONE: ReadonlySet<number> = new Set();

/** Pure state: the assignment last joined, or nothing. */
export function createPartitionAssignment(): PartitionAssignment {
  let current = new Map<string, ReadonlySet<number>>();
  return {
    owned: (topic) => current.get(topic) ?? NONE,
    count: () => [...current.values()].reduce((n, s) => n + s.size, 0),
    joined(assignment) {
      current = new Map(Object.entries(assignment).map(([t, ps]) => [t, new Set(ps)]));
    },
    lost() {
      current = new Map();
    },
  };
}

/**
 * Keeps `assignment` in step with the kafkajs consumer's group events (subscribe before start(),
 * so the first join is seen). Returns the function that unsubscribes.
 */
export function followGroup(consumer: Pick<Consumer, 'on' | 'events'>, assignment: PartitionAssignment): () => void {
  const e = consumer.events;
  const offs = [
    consumer.on(e.GROUP_JOIN, (ev) => assignment.joined(ev.payload.memberAssignment)),
    ...[e.REBALANCING, e.STOP, e.DISCONNECT, e.CRASH].map((name) => consumer.on(name, () => assignment.lost())),
  ];
  return () => offs.forEach((off) => off());
}

// Drains timed by the consumer group's committed offsets (what Kafka says is done), not by reading
// rows back: the time from the first committed offset past the start to the last record committed.
import { loadavg } from 'node:os';
import { kafkaClient } from '../../test/support/kafka';

export interface DrainTiming {
  /** Records committed between the first and the last poll that saw progress. */
  records: number;
  seconds: number;
  perSecond: number;
}

/** Sum of the group's committed offsets on the topic (an uncommitted partition counts 0). */
export async function committedSum(groupId: string, topic: string): Promise<number> {
  const admin = kafkaClient('kds-bench-offsets').admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (t?.partitions ?? []).reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls every `intervalMs` until `total` records are committed; `alive` throws if the consumer
 * died. The rate counts from the first poll that saw a commit to the poll that saw the last one.
 */
export async function drainByOffsets(groupId: string, topic: string, total: number, timeoutMs: number, alive: () => void, intervalMs = 250): Promise<DrainTiming> {
  const admin = kafkaClient('kds-bench-offsets').admin();
  await admin.connect();
  try {
    const read = async (): Promise<number> => {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (t?.partitions ?? []).reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
    };
    const deadline = Date.now() + timeoutMs;
    let first: { n: number; t: number } | undefined;
    for (;;) {
      const n = await read();
      const t = performance.now();
      if (first === undefined && n > 0) first = { n, t };
      if (n >= total && first !== undefined) {
        const seconds = (t - first.t) / 1000;
        return { records: n - first.n, seconds, perSecond: seconds > 0 ? (n - first.n) / seconds : NaN };
      }
      alive();
      if (Date.now() > deadline) throw new Error(`bench: ${n}/${total} committed after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The machine's 1-minute load average (2 cores here): printed next to every figure. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

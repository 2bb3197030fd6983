// What becomes of one Kafka record, once decoded: the one path a record takes, whether the consumer
// just fetched it or an operator replays a dead letter (src/dead-letters/replay.ts). A contract
// break is dead-lettered; a valid event is processed (per-order order, parking, version guard,
// apply: ./process-event.ts); an event that keeps failing is parked FAILED; one that cannot even be
// parked is dead-lettered as `unprocessable`. Dead letters are unique per topic/partition/offset,
// so a record that fails again updates its one dead letter with the new reason.
import { describeError, errorKind } from '../errors';
import type { Decoded } from '../events/decode';
import type { Logger } from '../log';
import type { EventInput, Outcome } from './process-event';
import type { DeadLetter } from './sql/dead-letter';

export type RecordOutcome = Outcome | 'dead_lettered';

export type RecordResult = { outcome: Outcome } | { outcome: 'dead_lettered'; reason: string; detail: string };

/** A record as Kafka handed it over, with where it came from. */
export interface SourcedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface RecordPathDeps {
  process: (input: EventInput) => Promise<Outcome>;
  /** Parks an event that keeps failing as a FAILED head of its order's queue. */
  parkFailed: (input: EventInput, err: unknown) => Promise<Outcome>;
  deadLetter: (d: DeadLetter) => Promise<void>;
  log: Logger;
}

/**
 * Runs one step; decides what a failure means. The consumer retries infrastructure failures in
 * place and gives a bug three tries; a replay answers the operator at once. Errors it throws of
 * kind `infrastructure`, and `Abandoned`, leave this path untouched (nothing parked or stored).
 */
export type Attempt = <T>(fn: () => Promise<T>) => Promise<T>;

/** Thrown by an Attempt when the record is no longer ours (shutdown, rebalance). */
export class Abandoned extends Error {}

const passesThrough = (err: unknown): boolean => err instanceof Abandoned || errorKind(err) === 'infrastructure';

export function sourceOf(r: Pick<SourcedRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${r.topic}/${r.partition}@${r.offset}`;
}

export async function runRecord(deps: RecordPathDeps, rec: SourcedRecord, decoded: Decoded, attempt: Attempt): Promise<RecordResult> {
  const source = sourceOf(rec);
  const deadLetter = async (reason: string, detail: string): Promise<RecordResult> => {
    await attempt(() => deps.deadLetter({ ...rec, reason, detail }));
    deps.log.warn('record dead-lettered', { source, reason, detail: detail.slice(0, 500) });
    return { outcome: 'dead_lettered', reason, detail };
  };
  if (!decoded.ok) return deadLetter(decoded.reason, decoded.detail);
  const input: EventInput = { event: decoded.event, raw: (rec.value as Buffer).toString('utf8'), source };
  try {
    return { outcome: await attempt(() => deps.process(input)) };
  } catch (err) {
    if (passesThrough(err)) throw err;
    deps.log.error('event could not be processed; setting it aside', { source, err });
    try {
      return { outcome: await attempt(() => deps.parkFailed(input, err)) };
    } catch (parkErr) {
      if (passesThrough(parkErr)) throw parkErr;
      // Not even parkable (its ids or times break the retry table's columns): keep the record.
      return deadLetter('unprocessable', `${describeError(err)}; could not park it: ${describeError(parkErr)}`);
    }
  }
}

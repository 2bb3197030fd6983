// A stored record run through the consumer's own path again (an operator's replay of a dead letter,
// src/dead-letters/replay.ts): decoded with this environment's rules, then ./record-path.ts
// exactly as a fetched record, in its order's turn on the same keyed scheduler, so it never runs
// beside another event of its order on this instance (other instances are kept apart by the
// order's guard lock, as for any event). What differs is only how failures are waited for: an
// operator is waiting, so an infrastructure failure is thrown at once (nothing changed; try again)
// instead of retried in place, and a bug gets the consumer's BUG_ATTEMPTS tries.
import { errorKind } from '../errors';
import { decodeRecord } from '../events/decode';
import { BUG_ATTEMPTS } from './consumer';
import type { KeyedScheduler } from './keyed-scheduler';
import { runRecord, type Attempt, type RecordPathDeps, type RecordResult, type SourcedRecord } from './record-path';

export type RecordReplayer = (rec: SourcedRecord) => Promise<RecordResult>;

const now: Attempt = async (fn) => {
  for (let bugs = 0; ; ) {
    try {
      return await fn();
    } catch (err) {
      if (errorKind(err) !== 'bug' || ++bugs >= BUG_ATTEMPTS) throw err;
    }
  }
};

export function createReplayer(deps: RecordPathDeps & { env: string; scheduler: KeyedScheduler }): RecordReplayer {
  return (rec) => {
    const decoded = decodeRecord(rec, deps.env);
    // as in the consumer: a record that cannot be decoded waits for no order
    const key = decoded.ok ? decoded.event.orderId : `\u0000replay:${rec.topic}/${rec.partition}@${rec.offset}`;
    return deps.scheduler.submit(key, () => runRecord(deps, rec, decoded, now));
  };
}

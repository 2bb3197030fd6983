// The stats aggregates, recorded by the unit of work in the transaction of the change that causes
// them (docs/dashboard.md). Each changed dish is read as stored, its contribution compared with the
// one recorded last time (its mark), and only the difference applied: a duplicate or replayed event
// makes no change (so no call), a change recorded again adds nothing, a recall takes back the
// ticket time it had added. An order is counted in the transaction that numbers it, which happens
// once per order, so it needs no mark. Cost per write group: one read, sent with the unit of work's
// read-back, and at most four upserts, sent with its seq reservation: no round trip of its own.
import type { RowDataPacket } from 'mysql2/promise';
import type { ChangeRecorder } from '../changes/unit-of-work';
import {
  addContribution, dishContribution, emptyDeltas, orderContribution, sameContribution, type Contribution,
} from './contribution';
import { subjectRows, subjectsStatement } from './sql/select-subjects';
import { deltaWrites, markWrites } from './sql/write-deltas';

export interface StatsRecorderOptions {
  /** A dish cooked more than this many seconds after its order was placed counts as late. */
  lateAfterS: number;
}

export function createStatsRecorder(opts: StatsRecorderOptions): ChangeRecorder {
  return {
    read: (touched) => subjectsStatement(touched.dishIds, touched.numberedOrderIds),
    record(rows) {
      // every touched row is a change (the read-back throws on one that is missing), so the
      // subjects read with it are exactly the changed dishes and the orders numbered now
      const subjects = subjectRows((rows ?? []) as RowDataPacket[]);
      const deltas = emptyDeltas();
      const marks: Contribution[] = [];
      for (const s of subjects) {
        if (s.local_date === null || s.hour_start === null || s.local_hour === null) continue;
        if (s.kind === 'O') {
          // numbered by this transaction: counted now, once, with no mark to keep (see subjectsStatement)
          addContribution(deltas, orderContribution(s.id, { merchantId: s.merchant_id, localDate: s.local_date, hourStart: s.hour_start, localHour: s.local_hour }), 1);
          continue;
        }
        // facts built field by field: an object spread here cost more than the rest of the loop
        const now = dishContribution(s.id, {
          merchantId: s.merchant_id, localDate: s.local_date, hourStart: s.hour_start, localHour: s.local_hour,
          station: s.station, state: s.state ?? 'WAITING', placedAt: s.placed_at, readyAt: s.ready_at, servedAt: s.served_at, firedAt: s.fired_at, dueAt: s.due_at,
        }, opts.lateAfterS);
        if (s.mark !== undefined && sameContribution(s.mark, now)) continue;
        if (s.mark !== undefined) addContribution(deltas, s.mark, -1);
        addContribution(deltas, now, 1);
        marks.push(now);
      }
      // the marks (one row per dish, no one else's) before the merchant-day rows every group of the
      // merchant waits for: those are then held only for the seq reservation and the commit
      return [...markWrites(marks), ...deltaWrites(deltas)];
    },
  };
}

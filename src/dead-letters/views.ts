// The one mapper from a dead_letters row to what the API answers (contract fields first, then
// extras documented in docs/operations.md). Pure.
import type { DeadLetterRow } from './sql';
import { parseHeaders } from './sql';

export interface DeadLetterView {
  id: number;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  reason: string;
  detail: string | null;
  receivedAt: string;
  status: string;
  /** The value as UTF-8 when it is valid UTF-8, else null. */
  valueText: string | null;
  valueBase64: string | null;
  /** Extras: the record's headers (first value of each, as text), its size, replay history. */
  headers: Record<string, string>;
  valueBytes: number | null;
  discardedAt: string | null;
  replays: number;
  lastReplayAt: string | null;
  lastOutcome: string | null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Null when the bytes are not valid UTF-8 (or there are none). */
export function utf8OrNull(b: Buffer | null): string | null {
  if (b === null) return null;
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function deadLetterView(r: DeadLetterRow): DeadLetterView {
  return {
    id: Number(r.id), topic: r.topic, partition: Number(r.partition_no), offset: Number(r.offset_no),
    key: r.record_key === null ? null : r.record_key.toString('utf8'), reason: r.reason, detail: r.detail,
    receivedAt: r.created_at.toISOString(), status: r.status,
    valueText: utf8OrNull(r.raw_value), valueBase64: r.raw_value === null ? null : r.raw_value.toString('base64'),
    headers: parseHeaders(r.headers), valueBytes: r.raw_value === null ? null : r.raw_value.length,
    discardedAt: iso(r.discarded_at), replays: Number(r.replays), lastReplayAt: iso(r.last_replay_at), lastOutcome: r.last_outcome,
  };
}

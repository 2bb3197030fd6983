// Appends an event to its order's queue in the retry table. Runs with the guard locked.
import type { ResultSetHeader } from 'mysql2/promise';
import type { Conn } from '../../db/pool';
import type { OrderEvent } from '../../events/decode';
import type { Guard } from './guard';

export interface ParkRequest {
  event: OrderEvent;
  /** The record's value as received: replay re-decodes exactly what Kafka delivered. */
  raw: string;
  /** topic/partition@offset, for operators */
  source: string | null;
  /** Set when this entry becomes the head (nothing pending before it); null when parked behind. */
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/** Returns false when this event is already in the order's queue (a redelivery). */
export async function parkEvent(conn: Conn, guard: Guard, p: ParkRequest): Promise<boolean> {
  const pos = guard.tailPos + 1;
  const [res] = await conn.query<ResultSetHeader>(
    `INSERT INTO retry_entries (order_id, merchant_id, queue_pos, event_id, event_type, event_version,
                                occurred_at, raw_event, source, status, attempts, last_error, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)
     ON DUPLICATE KEY UPDATE id = id`,
    [
      p.event.orderId, p.event.merchantId, pos, p.event.eventId, p.event.type, p.event.version,
      new Date(p.event.occurredAt), p.raw, p.source, p.lastError, p.nextAttemptAt,
    ],
  );
  if (res.affectedRows !== 1) return false;
  await conn.query(
    `UPDATE order_guards
        SET blocked_since = IF(pending = 0, NOW(3), blocked_since), pending = pending + 1, tail_pos = ?
      WHERE order_id = ?`,
    [pos, p.event.orderId],
  );
  guard.pending += 1;
  guard.tailPos = pos;
  return true;
}

import type { ResultSetHeader } from 'mysql2/promise';
import type { Conn } from '../db/pool';
import type { MarkTarget } from './transitions';

/**
 * Writes the kitchen columns only (upstream columns belong to the pipeline). `at` comes from the
 * caller so the returned view carries exactly the stored updated_at.
 */
export async function updateDishState(conn: Conn, itemId: string, to: MarkTarget, at: Date): Promise<void> {
  await conn.query<ResultSetHeader>(
    `UPDATE dishes
        SET state = ?,
            ready_at = IF(? = 'READY', ?, ready_at),
            served_at = IF(? = 'SERVED', ?, served_at),
            -- a held dish a cook marks cooked anyway was fired by that mark (contract "Kitchen workflows")
            fired_at = IF(? = 'READY', COALESCE(fired_at, ?), fired_at),
            held = IF(? = 'READY', 0, held),
            updated_at = ?
      WHERE item_id = ?`,
    [to, to, at, to, at, to, at, to, at, itemId],
  );
}

import type { Claims } from '../auth/token';
import type { Conn } from '../db/pool';

/** Who made a mark or recall: the token's role, and its device id when it is a device token. */
export interface Actor {
  role: string;
  deviceId: string | null;
}

/** The token's role, and its device id when it is a device token (auth feature); null otherwise. */
export function actorOf(c: Claims): Actor {
  const deviceId = (c as Claims & { deviceId?: unknown }).deviceId;
  return { role: c.role, deviceId: typeof deviceId === 'string' ? deviceId : null };
}

export interface DishMark {
  merchantId: string;
  orderId: string;
  itemId: string;
  /** READY, SERVED (marks) or RECALL (undoing the role's last mark) */
  action: 'READY' | 'SERVED' | 'RECALL';
  from: string;
  to: string;
  actor: Actor;
  at: Date;
}

/** Appends marks to dish_marks inside the transition's own transaction (never one without the other). */
export async function insertDishMarks(conn: Conn, marks: readonly DishMark[]): Promise<void> {
  if (marks.length === 0) return;
  await conn.query(
    `INSERT INTO dish_marks (merchant_id, order_id, item_id, action, from_state, to_state, role, device_id, at)
     VALUES ?`,
    [marks.map((m) => [m.merchantId, m.orderId, m.itemId, m.action, m.from, m.to, m.actor.role, m.actor.deviceId, m.at])],
  );
}

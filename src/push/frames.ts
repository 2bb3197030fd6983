// Building the JSON frames screens receive. Pure: which frames one change-log row becomes for one
// kind of screen. Payloads are stored as JSON text by appendChanges, so frames are assembled
// around that text instead of parsing and re-serialising it for every screen.
import type { OrderDetail } from '../views/order';
import { CALL_PULL, CALL_SERVE } from '../changes/append';

export interface ChangeRow {
  seq: number;
  kind: string;
  order_id: string;
  serve: number;
  payload: string;
  /** When the change was written (database clock), for the commit-to-push latency. */
  created_at: Date;
}

export interface Audience {
  /** Set for guests: only changes of this order reach them. */
  orderId?: string;
  /** Waiters (and admins) also get the serve call when a dish becomes READY, the pull when a READY one is cancelled. */
  wantsServe: boolean;
}

export function framesFor(row: ChangeRow, a: Audience): string[] {
  if (a.orderId !== undefined && row.order_id !== a.orderId) return [];
  const seq = Number(row.seq);
  if (row.kind === 'order') return [`{"type":"order","seq":${seq},"order":${row.payload}}`];
  if (row.kind !== 'dish') return [];
  const dish = `{"type":"dish","seq":${seq},"dish":${row.payload}}`;
  const call = Number(row.serve);
  if (a.wantsServe && call === CALL_SERVE) return [dish, `{"type":"serve","seq":${seq},"dish":${row.payload}}`];
  if (a.wantsServe && call === CALL_PULL) return [dish, `{"type":"pull","seq":${seq},"dish":${row.payload}}`];
  return [dish];
}

/**
 * The frames of one row for many screens, encoded once per kind of audience instead of once per
 * socket (ws would turn each string into bytes again for every screen): kitchens share one set,
 * waiters another; a guest's frames depend on its order and are built for it alone.
 */
export function framesOnce(row: ChangeRow): (a: Audience) => readonly Buffer[] {
  const shared = new Map<boolean, Buffer[]>();
  const encode = (a: Audience): Buffer[] => framesFor(row, a).map((f) => Buffer.from(f, 'utf8'));
  return (a) => {
    if (a.orderId !== undefined) return encode(a);
    let frames = shared.get(a.wantsServe);
    if (frames === undefined) {
      frames = encode(a);
      shared.set(a.wantsServe, frames);
    }
    return frames;
  };
}

export function snapshotFrame(seq: number, orders: readonly OrderDetail[], serverTime: Date): string {
  return JSON.stringify({ type: 'snapshot', seq, serverTime: serverTime.toISOString(), orders });
}

/**
 * Replies that are not changes (pong, error) carry the seq the screen already has, so they never
 * look like a gap or a new change to a client that checks every seq.
 */
export function controlFrame(type: 'pong' | 'error', seq: number, extra: Record<string, string> = {}): string {
  return JSON.stringify({ type, seq, ...extra });
}

// One connected screen: what it may see, how far it has been sent, and the rules that keep a
// slow or dead screen from holding server memory.
import type { WebSocket } from 'ws';
import type { Role } from '../auth/token';
import type { Audience } from './frames';

export interface Subscriber {
  role: Role;
  merchantId: string;
  /** Guests only. */
  orderId?: string;
}

export interface PushClient {
  readonly ws: WebSocket;
  readonly sub: Subscriber;
  readonly audience: Audience;
  /** Last seq delivered (or covered by the snapshot sent). */
  sentSeq: number;
  /** False until the snapshot or replay went out; the feed skips it until then. */
  live: boolean;
  /** Answered the last heartbeat ping. */
  alive: boolean;
  /** Cut off or closed: nothing more is sent. */
  done: boolean;
}

export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_TOKEN_EXPIRED = 4001;
// after a close frame, a screen that does not answer within this time is dropped outright, so a
// stuck socket cannot keep its send buffer alive
const CLOSE_GRACE_MS = 2000;

export function createClient(ws: WebSocket, sub: Subscriber): PushClient {
  const audience: Audience = {
    wantsServe: sub.role === 'waiter' || sub.role === 'admin',
    ...(sub.role === 'guest' && sub.orderId !== undefined ? { orderId: sub.orderId } : {}),
  };
  return { ws, sub, audience, sentSeq: 0, live: false, alive: true, done: false };
}

export function closeClient(c: PushClient, code: number, reason: string): void {
  if (c.done) return;
  c.done = true;
  c.live = false;
  try {
    c.ws.close(code, reason);
  } catch {
    c.ws.terminate();
    return;
  }
  setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS).unref();
}

/**
 * Queues a frame; returns false when the client is gone or was just cut off because its send
 * buffer passed `maxBufferedBytes` (it resumes with afterSeq, so nothing is lost for it).
 */
export function sendFrame(c: PushClient, frame: string, maxBufferedBytes: number): boolean {
  if (c.done || c.ws.readyState !== c.ws.OPEN) return false;
  c.ws.send(frame);
  if (c.ws.bufferedAmount > maxBufferedBytes) {
    closeClient(c, CLOSE_TOO_SLOW, 'too slow, resume with afterSeq');
    return false;
  }
  return true;
}

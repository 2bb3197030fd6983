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
  /** Device tokens only: revoking the device closes the socket. */
  deviceId?: string;
  /** Kitchen screens only: the station shown ('' = every station), for the printers' fallback. */
  kitchenStation?: string;
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
  /** After a close frame, how long the screen may take to read up to it before it is dropped. */
  readonly closeGraceMs: number;
  /** Bytes of a first snapshot still being written: allowed on top of the slow-client limit. */
  allowance: number;
}

export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_TOKEN_EXPIRED = 4001;
/** The device was revoked by its manager: the pages stop reconnecting and say so. */
export const CLOSE_TOKEN_REVOKED = 4003;
// after a close frame, a screen that does not answer within this time is dropped outright, so a
// stuck socket cannot keep its send buffer alive
const CLOSE_GRACE_MS = 2000;

export function createClient(ws: WebSocket, sub: Subscriber, closeGraceMs = CLOSE_GRACE_MS): PushClient {
  const audience: Audience = {
    // managers see everything kitchen and waiter screens see, serve calls included
    wantsServe: sub.role === 'waiter' || sub.role === 'manager' || sub.role === 'admin',
    ...(sub.role === 'guest' && sub.orderId !== undefined ? { orderId: sub.orderId } : {}),
  };
  return { ws, sub, audience, sentSeq: 0, live: false, alive: true, done: false, allowance: 0, closeGraceMs };
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
  setTimeout(() => c.ws.terminate(), c.closeGraceMs).unref();
}

/**
 * Queues a frame; returns false when the client is gone or was just cut off because its send
 * buffer passed `maxBufferedBytes` (it resumes with afterSeq, so nothing is lost for it).
 *
 * A snapshot (`oversize`) is allowed on top of the limit until it is written out: a board larger
 * than the limit would otherwise cut the screen off on every connect, and without a seq to
 * resume from it would reconnect for another snapshot, forever. Only a screen that stays slow
 * after its snapshot is cut off.
 */
export function sendFrame(c: PushClient, frame: string | Buffer, maxBufferedBytes: number, oversize = false): boolean {
  if (c.done || c.ws.readyState !== c.ws.OPEN) return false;
  // a Buffer is a frame encoded once for many screens (frames.ts framesOnce): still a text message
  if (oversize) {
    const bytes = Buffer.byteLength(frame);
    c.allowance += bytes;
    c.ws.send(frame, { binary: false }, () => {
      c.allowance -= bytes;
    });
  } else {
    c.ws.send(frame, { binary: false });
  }
  if (c.ws.bufferedAmount > maxBufferedBytes + c.allowance) {
    closeClient(c, CLOSE_TOO_SLOW, 'too slow, resume with afterSeq');
    return false;
  }
  return true;
}

// A steady stream of order events like the order system's, and a kitchen screen that resumes like a
// real one, for the fault suite: the stream keeps every order's expected final version, so the end
// state can be checked for loss and doubling; the screen counts seq gaps.
import type { Producer } from 'kafkajs';
import WebSocket from 'ws';
import type { OrderServiceSimulator } from '../../simulator/order-service';
import { body, eventFor, record } from './events';

export interface Stream {
  /** orderId → the version its last event carried */
  readonly expected: Map<string, number>;
  /** events sent (acknowledged by Kafka) */
  sent(): number;
  stop(): Promise<void>;
}

/**
 * Every `everyMs`: a new order (v1 ORDER_PLACED) and the next version of an earlier one (PAID,
 * then COMPLETED). A send the broker refuses (it is down) is kept and sent again, in order, as the
 * order system's producer would: the stream never skips an event.
 */
export function startStream(prod: Producer, sim: OrderServiceSimulator, topic: string, opts: { merchantId: string; prefix: string; everyMs?: number }): Stream {
  const expected = new Map<string, number>();
  const backlog: { orderId: string; version: number; message: ReturnType<typeof record> }[] = [];
  let n = 0;
  let sent = 0;
  let stopped = false;
  const make = (orderId: string, version: number): void => {
    const b = body(orderId, version, { merchantId: opts.merchantId, status: version === 1 ? 'PLACED' : version === 2 ? 'PAID' : 'COMPLETED' });
    sim.putOrder(b);
    backlog.push({ orderId, version, message: record(eventFor(b, version === 1 ? 'ORDER_PLACED' : version === 2 ? 'ORDER_PAID' : 'ORDER_COMPLETED')) });
  };
  /** Sends the backlog; false (and the backlog kept, in order) while the broker refuses it. */
  const flush = async (): Promise<boolean> => {
    const batch = backlog.splice(0, backlog.length);
    if (batch.length === 0) return true;
    try {
      await prod.send({ topic, acks: -1, messages: batch.map((b) => b.message) });
    } catch {
      backlog.unshift(...batch);
      return false;
    }
    for (const b of batch) expected.set(b.orderId, Math.max(expected.get(b.orderId) ?? 0, b.version));
    sent += batch.length;
    return true;
  };
  const loop = (async () => {
    while (!stopped) {
      const id = `${opts.prefix}-${String(n).padStart(5, '0')}`;
      make(id, 1);
      const older = n >= 3 ? `${opts.prefix}-${String(n - 3).padStart(5, '0')}` : undefined;
      const v = older === undefined ? undefined : (expected.get(older) ?? 1) + 1;
      if (older !== undefined && v !== undefined && v <= 3) make(older, v);
      n += 1;
      await flush();
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 200));
    }
  })();
  return {
    expected,
    sent: () => sent,
    async stop() {
      stopped = true;
      await loop;
      // what is still unsent goes out now (the broker is back by the time a test stops its stream)
      while (!(await flush())) await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/**
 * A kitchen screen that stays connected through restarts: on close it reconnects with
 * `afterSeq` = the last seq it saw, as the pages do. A gap is a change whose seq is not the last
 * one + 1 (a snapshot resets the count: it is the whole board at its seq).
 */
export class ResumingScreen {
  lastSeq = 0;
  gaps: { after: number; got: number }[] = [];
  frames = 0;
  reconnects = 0;
  private ws: WebSocket | undefined;
  private closed = false;

  constructor(private readonly url: (afterSeq: number) => string) {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.url(this.lastSeq));
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString('utf8')) as { type: string; seq: number };
      this.frames += 1;
      if (f.type === 'snapshot') {
        this.lastSeq = f.seq;
      } else if (f.type === 'dish' || f.type === 'order') {
        if (f.seq !== this.lastSeq + 1) this.gaps.push({ after: this.lastSeq, got: f.seq });
        this.lastSeq = Math.max(this.lastSeq, f.seq);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.closed) return;
      this.reconnects += 1;
      setTimeout(() => this.connect(), 250);
    });
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

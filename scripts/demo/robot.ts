// The kitchen robot: so the screens move without anyone at them, it plays a cook and a waiter of
// one merchant through the public HTTP API (the same calls the pages make): about once a second
// it marks one of the oldest WAITING dishes READY and one of the oldest READY dishes SERVED.
//
// It only touches dishes older than minAgeMs, so the newest tickets are always left for a human
// to tap, and it speeds up when the backlog grows so the board never fills up for good.
import type { Logger } from '../../src/log';

export interface RobotOptions {
  baseUrl: string;
  merchantId: string;
  kitchenToken: string;
  waiterToken: string;
  minAgeMs: number;
  log: Logger;
  /** Called for the first failure of a streak, so the console hears about trouble once. */
  onTrouble: (message: string) => void;
  tickMs?: number;
}

export interface Robot {
  counts(): { ready: number; served: number };
  stop(): Promise<void>;
}

interface BoardDish {
  itemId: string;
  state: string;
  updatedAt: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The dishes of a board answer, oldest order first; whatever does not look like one is skipped. */
export function boardDishes(body: unknown): BoardDish[] {
  if (!isRecord(body) || !Array.isArray(body.orders)) return [];
  const out: BoardDish[] = [];
  for (const order of body.orders as unknown[]) {
    if (!isRecord(order) || !Array.isArray(order.dishes)) continue;
    for (const d of order.dishes as unknown[]) {
      if (isRecord(d) && typeof d.itemId === 'string' && typeof d.state === 'string' && typeof d.updatedAt === 'string') {
        out.push({ itemId: d.itemId, state: d.state, updatedAt: d.updatedAt });
      }
    }
  }
  return out;
}

/**
 * Which dishes to move this tick: among those in `state` old enough, one of the three oldest (a
 * kitchen works roughly oldest first, not strictly), plus one more per 5 waiting behind them.
 */
export function pickDishes(dishes: readonly BoardDish[], state: string, nowMs: number, minAgeMs: number, random: () => number): string[] {
  const due = dishes
    .filter((d) => d.state === state && nowMs - Date.parse(d.updatedAt) >= minAgeMs)
    .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
  const count = Math.min(due.length, 1 + Math.floor(due.length / 5));
  const picked: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(random() * Math.min(3, due.length));
    picked.push((due.splice(k, 1)[0] as BoardDish).itemId);
  }
  return picked;
}

export function startRobot(opts: RobotOptions): Robot {
  const counts = { ready: 0, served: 0 };
  let stopped = false;
  let troubled = false;
  let busy = false;
  let running: Promise<void> = Promise.resolve();

  async function call(method: string, path: string, token: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${opts.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // not JSON (a proxy page, an HTML 404): keep the text for the log line
    }
    return { status: res.status, body };
  }

  async function mark(itemId: string, action: 'ready' | 'served', token: string): Promise<void> {
    const r = await call('POST', `/api/dishes/${encodeURIComponent(itemId)}/${action}`, token);
    if (r.status === 200) {
      if (action === 'ready') counts.ready += 1;
      else counts.served += 1;
    } else if (r.status === 409) {
      // a human (or a cancellation) got there first: normal on a shared board
      opts.log.debug('robot: dish moved on meanwhile', { itemId, action });
    } else {
      throw new Error(`POST /api/dishes/${itemId}/${action} answered ${r.status} ${JSON.stringify(r.body)}`);
    }
  }

  async function tick(): Promise<void> {
    const board = await call('GET', `/api/merchants/${opts.merchantId}/board`, opts.kitchenToken);
    if (board.status !== 200) throw new Error(`GET board answered ${board.status} ${JSON.stringify(board.body)}`);
    const dishes = boardDishes(board.body);
    const now = Date.now();
    for (const id of pickDishes(dishes, 'READY', now, opts.minAgeMs, Math.random)) await mark(id, 'served', opts.waiterToken);
    for (const id of pickDishes(dishes, 'WAITING', now, opts.minAgeMs, Math.random)) await mark(id, 'ready', opts.kitchenToken);
  }

  const timer = setInterval(() => {
    // ticks never overlap: a slow answer delays the robot, it does not pile requests up
    if (busy || stopped) return;
    busy = true;
    running = tick()
      .then(() => {
        if (troubled) opts.onTrouble('robot: working again');
        troubled = false;
      })
      .catch((err: unknown) => {
        opts.log.warn('robot tick failed', { err });
        if (!troubled) opts.onTrouble(`robot: ${err instanceof Error ? err.message : String(err)} (retrying every second; details in the log)`);
        troubled = true;
      })
      .finally(() => {
        busy = false;
      });
  }, opts.tickMs ?? 1_000);

  return {
    counts: () => ({ ...counts }),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

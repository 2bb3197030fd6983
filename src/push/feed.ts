// One merchant's feed: its connected screens and a task chain that serialises everything sent to
// them (first snapshot or replay, then every change in seq order). Changes are read from the
// change log after commit, never from memory, so any instance serves any screen and nothing that
// rolled back is ever pushed (design note 6).
import type { OrderDetail } from '../board/views';
import { readBoard, readConsistent, readOrder } from '../board/read';
import { selectMerchantSeq } from '../board/select-seq';
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import { closeClient, sendFrame, type PushClient } from './client';
import { framesFor, snapshotFrame, type ChangeRow } from './frames';
import { selectChangesAfter } from './select-changes';

export interface FeedContext {
  pool: Pool;
  log: Logger;
  boardDays: number;
  maxBufferedBytes: number;
  /** A screen further behind than this gets a snapshot instead of a replay. */
  maxReplay: number;
  /** Seconds from a change's commit to its first push to live screens (metrics). */
  onPushed?: (seconds: number) => void;
}

export interface Feed {
  readonly merchantId: string;
  readonly clients: Set<PushClient>;
  /** Lowest seq sent to a live client (Infinity when none is live). */
  minSentSeq(): number;
  /** Brings a new screen up to date; afterSeq undefined means a snapshot. */
  start(client: PushClient, afterSeq: number | undefined): void;
  /** Reads and fans out new changes soon; calls while one is queued are merged. */
  requestPump(): void;
  /** Resolves when the queued tasks have run. */
  idle(): Promise<void>;
}

const PAGE = 500;
// a gap in the log cannot come from commits (the merchant_seq lock orders them); if one shows up
// anyway (rows archived under a lagging feed), give it ~this many pumps, then resync the screens
const GAP_PATIENCE = 25;

export function createFeed(ctx: FeedContext, merchantId: string): Feed {
  const clients = new Set<PushClient>();
  let chain: Promise<void> = Promise.resolve();
  let pumpQueued = false;
  let gapStrikes = 0;

  const enqueue = (what: string, task: () => Promise<void>): void => {
    chain = chain.then(task).catch((err: unknown) => ctx.log.error('push feed task failed', { merchantId, what, err }));
  };

  const live = (): PushClient[] => [...clients].filter((c) => c.live && !c.done);
  // reduce, not Math.min(...list): spreading thousands of screens into arguments can overflow
  const lowestSeq = (list: readonly PushClient[]): number => list.reduce((m, c) => Math.min(m, c.sentSeq), Infinity);

  const sendSnapshot = async (c: PushClient): Promise<void> => {
    const orderId = c.sub.orderId;
    const { seq, value: orders } = await readConsistent(ctx.pool, merchantId, async (db): Promise<OrderDetail[]> => {
      if (orderId === undefined) return readBoard(db, merchantId, ctx.boardDays);
      const order = await readOrder(db, orderId);
      return order !== undefined && order.merchantId === merchantId ? [order] : [];
    });
    c.sentSeq = seq;
    sendFrame(c, snapshotFrame(seq, orders, new Date()), ctx.maxBufferedBytes);
  };

  /** Sends the changes after `afterSeq`; false when they are not all there (or too many). */
  const replay = async (c: PushClient, afterSeq: number): Promise<boolean> => {
    const latest = await selectMerchantSeq(ctx.pool, merchantId);
    if (afterSeq > latest || latest - afterSeq > ctx.maxReplay) return false;
    let from = afterSeq;
    for (;;) {
      const rows = await selectChangesAfter(ctx.pool, merchantId, from, PAGE);
      for (const row of rows) {
        if (Number(row.seq) !== from + 1) return false; // archived: the screen needs a snapshot
        for (const f of framesFor(row, c.audience)) sendFrame(c, f, ctx.maxBufferedBytes);
        from += 1;
      }
      c.sentSeq = from;
      if (rows.length < PAGE || c.done) return true;
    }
  };

  const fanOut = (row: ChangeRow, targets: readonly PushClient[]): void => {
    const seq = Number(row.seq);
    let pushed = false;
    for (const c of targets) {
      if (c.done || c.sentSeq !== seq - 1) continue;
      for (const f of framesFor(row, c.audience)) sendFrame(c, f, ctx.maxBufferedBytes);
      c.sentSeq = seq;
      pushed = true;
    }
    if (pushed) ctx.onPushed?.(Math.max(0, (Date.now() - new Date(row.created_at).getTime()) / 1000));
  };

  const pump = async (): Promise<void> => {
    const targets = live();
    if (targets.length === 0) return;
    let from = lowestSeq(targets);
    for (;;) {
      const rows = await selectChangesAfter(ctx.pool, merchantId, from, PAGE);
      for (const row of rows) {
        if (Number(row.seq) !== from + 1) {
          gapStrikes += 1;
          ctx.log.warn('gap in change log', { merchantId, expected: from + 1, got: row.seq, strikes: gapStrikes });
          if (gapStrikes >= GAP_PATIENCE) {
            gapStrikes = 0;
            for (const c of targets) if (!c.done) await sendSnapshot(c);
          }
          return;
        }
        fanOut(row, targets);
        from += 1;
      }
      gapStrikes = 0;
      if (rows.length < PAGE) return;
    }
  };

  const requestPump = (): void => {
    if (pumpQueued) return;
    pumpQueued = true;
    enqueue('pump', async () => {
      pumpQueued = false;
      await pump();
    });
  };

  return {
    merchantId,
    clients,
    minSentSeq: () => lowestSeq(live()),
    start(c, afterSeq) {
      clients.add(c);
      enqueue('start', async () => {
        if (c.done) return;
        try {
          const replayed = afterSeq !== undefined && (await replay(c, afterSeq));
          if (!replayed) await sendSnapshot(c);
          c.live = !c.done;
        } catch (err) {
          ctx.log.error('could not bring a screen up to date', { merchantId, err });
          closeClient(c, 1011, 'internal error, reconnect');
          return;
        }
      });
      requestPump();
    },
    requestPump,
    idle: () => chain,
  };
}

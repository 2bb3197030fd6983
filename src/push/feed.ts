// One merchant's feed: its connected screens and a task chain that serialises everything sent to
// them (first snapshot or replay, then every change in seq order). Changes are read from the
// change log after commit, never from memory, so any instance serves any screen and nothing that
// rolled back is ever pushed (docs/architecture.md).
import type { OrderDetail } from '../views/order';
import { readBoardWithSeq, readConsistent, readOrder } from '../board/read';
import { selectMerchantSeq } from '../board/select-seq';
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import { closeClient, sendFrame, type PushClient } from './client';
import { framesOnce, snapshotFrame, type ChangeRow } from './frames';
import { selectChangesAfter } from './select-changes';
import type { Slots } from './slots';

export interface FeedContext {
  pool: Pool;
  log: Logger;
  boardDays: number;
  maxBufferedBytes: number;
  /** A screen further behind than this gets a snapshot instead of a replay. */
  maxReplay: number;
  /** Seconds from a change's commit to its first push to live screens (metrics). */
  onPushed?: (seconds: number) => void;
  /** Bounds the snapshot reads of all feeds of the hub, so a reconnect storm leaves the pool free. */
  snapshotSlots: Slots;
  /** Told of every snapshot read made (one may serve many screens): metrics and tests. */
  onSnapshotRead?: (merchantId: string) => void;
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
// A snapshot read this recently is sent again to screens that connect meanwhile: a reconnect
// storm's connects trickle in over a second or two (300 handshakes took 1.5 s here), faster than
// reads finish, so sharing only the read in flight still made 14 reads for 100 screens. An older
// snapshot is still exact at its seq, and the screen is pumped the changes after it at once.
const SNAPSHOT_REUSE_MS = 2000;
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

  // One read per view (the whole board, or one guest's order) for every screen waiting for it:
  // after a deploy all screens of a merchant reconnect within a second or two, and they wait
  // together behind the read in flight instead of each making their own (reconnect storm).
  const recent = new Map<string, { seq: number; frame: string; atMs: number }>();

  const readSnapshot = async (orderId: string | undefined, reuse: boolean): Promise<{ seq: number; frame: string }> => {
    const key = orderId ?? '';
    const hit = recent.get(key);
    if (reuse && hit !== undefined && Date.now() - hit.atMs < SNAPSHOT_REUSE_MS) return hit;
    const { seq, value: orders } = await ctx.snapshotSlots.run(() => {
      ctx.onSnapshotRead?.(merchantId);
      if (orderId === undefined) return readBoardWithSeq(ctx.pool, merchantId, ctx.boardDays);
      return readConsistent(ctx.pool, merchantId, async (db): Promise<OrderDetail[]> => {
        const order = await readOrder(db, orderId);
        return order !== undefined && order.merchantId === merchantId ? [order] : [];
      });
    });
    const fresh = { seq, frame: snapshotFrame(seq, orders, new Date()), atMs: Date.now() };
    // forget old entries (guests' orders come and go) so the map stays as small as the storm
    for (const [k, v] of recent) if (fresh.atMs - v.atMs >= SNAPSHOT_REUSE_MS) recent.delete(k);
    recent.set(key, fresh);
    return fresh;
  };

  const sendSnapshots = async (group: readonly PushClient[], orderId: string | undefined, reuse: boolean): Promise<void> => {
    const { seq, frame: text } = await readSnapshot(orderId, reuse);
    const frame = Buffer.from(text, 'utf8'); // once for the whole group (a storm: many screens, one board)
    for (const c of group) {
      if (c.done) continue;
      c.sentSeq = seq;
      sendFrame(c, frame, ctx.maxBufferedBytes, true);
    }
  };

  /** `reuse`: a snapshot of the last SNAPSHOT_REUSE_MS will do (new screens, not a gap resync). */
  const snapshotAll = async (list: readonly PushClient[], reuse: boolean): Promise<void> => {
    const views = new Map<string, PushClient[]>();
    for (const c of list) {
      if (c.done) continue;
      const key = c.sub.orderId ?? '';
      const group = views.get(key) ?? [];
      group.push(c);
      views.set(key, group);
    }
    for (const [key, group] of views) {
      try {
        await sendSnapshots(group, key === '' ? undefined : key, reuse);
        for (const c of group) c.live = !c.done;
      } catch (err) {
        ctx.log.error('could not bring screens up to date', { merchantId, screens: group.length, err });
        for (const c of group) closeClient(c, 1011, 'internal error, reconnect');
      }
    }
  };

  /**
   * Resumes screens with afterSeq: one seq read and one walk of the log for all of them (a screen
   * that missed nothing costs nothing more). Returns the screens that need a snapshot instead:
   * ahead of the log, too far behind, or behind a hole (archived rows).
   */
  const replayAll = async (list: readonly { c: PushClient; afterSeq: number }[]): Promise<PushClient[]> => {
    const latest = await selectMerchantSeq(ctx.pool, merchantId);
    const needSnapshot: PushClient[] = [];
    const behind: PushClient[] = [];
    for (const { c, afterSeq } of list) {
      if (afterSeq > latest || latest - afterSeq > ctx.maxReplay) {
        needSnapshot.push(c);
        continue;
      }
      c.sentSeq = afterSeq;
      if (afterSeq < latest) behind.push(c);
    }
    let from = lowestSeq(behind);
    while (behind.some((c) => !c.done && c.sentSeq < latest)) {
      const rows = await selectChangesAfter(ctx.pool, merchantId, from, PAGE);
      let hole = false;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== from + 1) {
          hole = true;
          break;
        }
        const framesOf = framesOnce(row);
        for (const c of behind) {
          if (c.done || c.sentSeq !== seq - 1) continue;
          for (const f of framesOf(c.audience)) sendFrame(c, f, ctx.maxBufferedBytes);
          c.sentSeq = seq;
        }
        from = seq;
      }
      if (hole || rows.length < PAGE) {
        for (const c of behind) if (!c.done && c.sentSeq < latest) needSnapshot.push(c);
        break;
      }
    }
    return needSnapshot;
  };

  let waiting: { c: PushClient; afterSeq: number | undefined }[] = [];
  let startQueued = false;

  const runStarts = async (): Promise<void> => {
    startQueued = false;
    const batch = waiting.filter((w) => !w.c.done);
    waiting = [];
    const resuming = batch.filter((w): w is { c: PushClient; afterSeq: number } => w.afterSeq !== undefined);
    let needSnapshot = batch.filter((w) => w.afterSeq === undefined).map((w) => w.c);
    if (resuming.length > 0) {
      try {
        const failed = await replayAll(resuming);
        const failedSet = new Set(failed);
        for (const { c } of resuming) if (!failedSet.has(c)) c.live = !c.done;
        needSnapshot = needSnapshot.concat(failed);
      } catch (err) {
        ctx.log.error('could not resume screens', { merchantId, screens: resuming.length, err });
        for (const { c } of resuming) closeClient(c, 1011, 'internal error, reconnect');
      }
    }
    if (needSnapshot.length > 0) {
      await snapshotAll(needSnapshot, true);
      // a reused snapshot may be behind the log: bring those screens up to date now
      requestPump();
    }
  };

  const fanOut = (row: ChangeRow, targets: readonly PushClient[]): void => {
    const seq = Number(row.seq);
    let pushed = false;
    const framesOf = framesOnce(row);
    for (const c of targets) {
      if (c.done || c.sentSeq !== seq - 1) continue;
      for (const f of framesOf(c.audience)) sendFrame(c, f, ctx.maxBufferedBytes);
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
            recent.clear();
            await snapshotAll(targets.filter((c) => !c.done), false);
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
      waiting.push({ c, afterSeq });
      if (!startQueued) {
        startQueued = true;
        enqueue('start', runStarts);
      }
      requestPump();
    },
    requestPump,
    idle: () => chain,
  };
}

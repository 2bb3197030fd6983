// Who holds open sockets, across instances (DESIGN-NOTES 11, shape b). Each instance keeps its own
// count per key in memory and mirrors it into presence_counts; its row in presence_instances is
// renewed every `heartbeatMs`, and another instance's counts are believed only while that row is
// at most `freshMs` old (a killed instance stops counting after that; a stopped one at once).
//
// A cap that holds across instances without a moment over it. Admitting is write-then-read: the
// new socket is first counted in our row (as pending), then the others' rows are read, and it is
// admitted only if theirs plus our admitted ones plus it fit. Of any set of sockets over the cap,
// the one decided last would have read every other's row already counting it, so it is refused:
// the cap is never exceeded. Two sockets racing on two instances may both be refused (each sees the
// other pending); the client retries later, which is the safe side.
//
// One writer per instance: every change (admit, release, heartbeat) is applied by a single loop
// of rounds, each one transaction writing the changed keys' absolute counts, then one read for all
// admits waiting, sent together in one round trip (src/presence/sql.ts `writeThenRead`). A
// reconnect storm of a thousand screens costs a few rounds, not a thousand, and our rows are
// never written out of order. Ours is the only code writing our rows, so absolute values can
// be rewritten at any time (every `rewriteEvery` heartbeats, and when our instance row was lost).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool } from '../db/pool';
import type { Logger } from '../log';
import { deleteInstance, selectHeld, selectOthers, sweepStale, writeThenRead } from './sql';

/** A key to be counted under, and how many sockets it may hold everywhere (Infinity: count only). */
export interface Claim {
  key: string;
  cap: number;
  /**
   * Keep when the key last held a socket (kitchen screens: the printers' fallback counts from
   * it). Its row stays at 0 with the moment the last socket left, instead of being deleted.
   */
  remember?: boolean;
}

/** A key's sockets on all fresh instances, and how long ago it last held one anywhere. */
export interface KeyPresence {
  sockets: number;
  /** 0 while held; null when no instance has it on record (never, or over an hour ago) */
  idleMs: number | null;
}

export type Admission =
  | { ok: true; /** Idempotent: call when the socket is gone. */ release: () => void }
  | { ok: false; reason: 'cap'; key: string }
  | { ok: false; reason: 'unavailable' };

/**
 * The port: used by the WebSocket hub for its caps and to count kitchen screens; presence of
 * screens is read through it by anyone (the printers' fallback: src/presence/screens.ts).
 */
export interface Presence {
  /** Counts one socket under every claim if each fits its cap everywhere; else counts nothing. */
  admit(claims: readonly Claim[]): Promise<Admission>;
  /** Sockets open per key on all fresh instances, this one included. */
  count(keys: readonly string[]): Promise<Map<string, number>>;
  /** count(), and for remembered keys since when they hold none (every key asked is in the map). */
  held(keys: readonly string[]): Promise<Map<string, KeyPresence>>;
  close(): Promise<void>;
}

export interface PresenceOptions {
  pool: Pool;
  log: Logger;
  /** Default 2 s. */
  heartbeatMs?: number;
  /** Another instance's counts are believed while its heartbeat is this recent (default 10 s). */
  freshMs?: number;
  /** All our counts are rewritten every this many heartbeats (default 15). */
  rewriteEvery?: number;
  /** Rows of instances silent this long are deleted (default 1 h). */
  sweepAfterS?: number;
}

interface Waiting {
  claims: readonly Claim[];
  resolve: (a: Admission) => void;
}

export function createPresence(o: PresenceOptions): Presence {
  const instanceId = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const log = o.log.child({ component: 'presence' });
  const heartbeatMs = o.heartbeatMs ?? 2000;
  const freshMs = o.freshMs ?? 10_000;
  const rewriteEvery = o.rewriteEvery ?? 15;
  /** Admitted and still open, per key. */
  const open = new Map<string, number>();
  /** What our row should say: admitted plus pending, per key. */
  const counted = new Map<string, number>();
  const dirty = new Set<string>();
  /** Remembered keys claimed here whose row may still hold sockets: written as left, not deleted, at 0. */
  const remembered = new Set<string>();
  let waiting: Waiting[] = [];
  let beatDue = true;
  let beats = 0;
  let running: Promise<void> | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const add = (m: Map<string, number>, key: string, n: number): void => {
    const v = (m.get(key) ?? 0) + n;
    if (v <= 0) m.delete(key);
    else m.set(key, v);
  };
  const uncount = (claims: readonly Claim[]): void => {
    for (const c of claims) {
      add(counted, c.key, -1);
      dirty.add(c.key);
    }
  };

  const round = async (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    const keys = [...dirty];
    dirty.clear();
    const touch = beatDue;
    beatDue = false;
    const readKeys = [...new Set(batch.flatMap((w) => w.claims.map((c) => c.key)))];
    let others: Map<string, number>;
    try {
      if (touch && ++beats % rewriteEvery === 0) for (const k of counted.keys()) keys.push(k);
      if (touch && beats % 600 === 0) await sweepStale(o.pool, o.sweepAfterS ?? 3600);
      const unique = [...new Set(keys)];
      const gone = unique.filter((k) => !counted.has(k));
      const left = gone.filter((k) => remembered.has(k));
      const countsOf = (ks: readonly string[]): [string, number][] => ks.filter((k) => counted.has(k)).map((k) => [k, counted.get(k) ?? 0]);
      const r = await writeThenRead(o.pool, instanceId, {
        touch, counts: countsOf(unique), left, gone: gone.filter((k) => !remembered.has(k)), read: readKeys, freshMs,
      });
      others = r.others;
      if (r.recreated) {
        // our row had been swept with our counts: write them all before anyone is admitted on them
        others = (await writeThenRead(o.pool, instanceId, { touch: false, counts: countsOf([...counted.keys()]), left: [], gone: [], read: readKeys, freshMs })).others;
      }
      // a key claimed and released again meanwhile is dirty: its next write must still be a leave
      for (const k of left) if (!counted.has(k) && !dirty.has(k)) remembered.delete(k);
    } catch (err) {
      for (const k of keys) dirty.add(k);
      beatDue = true;
      for (const w of batch) {
        uncount(w.claims);
        w.resolve({ ok: false, reason: 'unavailable' });
      }
      throw err;
    }
    for (const w of batch) {
      const over = w.claims.find((c) => (others.get(c.key) ?? 0) + (open.get(c.key) ?? 0) + 1 > c.cap);
      if (over !== undefined || closed) {
        uncount(w.claims);
        w.resolve(over !== undefined ? { ok: false, reason: 'cap', key: over.key } : { ok: false, reason: 'unavailable' });
        continue;
      }
      for (const c of w.claims) add(open, c.key, 1);
      w.resolve({ ok: true, release: once(() => release(w.claims)) });
    }
  };

  const kick = (): void => {
    if (running !== undefined || closed) return;
    if (waiting.length === 0 && dirty.size === 0 && !beatDue) return;
    running = round()
      .catch((err: unknown) => {
        log.warn('presence write failed; sockets are refused until the database answers', { err });
        // a failed round is retried on its own, so released sockets do not stay counted
        retryTimer ??= setTimeout(() => {
          retryTimer = undefined;
          kick();
        }, Math.min(heartbeatMs, 1000));
        retryTimer.unref();
      })
      .finally(() => {
        running = undefined;
        if (waiting.length > 0 || (dirty.size > 0 && retryTimer === undefined)) kick();
      });
  };

  function release(claims: readonly Claim[]): void {
    for (const c of claims) add(open, c.key, -1);
    uncount(claims);
    kick();
  }

  const heartbeat = setInterval(() => {
    beatDue = true;
    kick();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    admit(claims) {
      if (closed) return Promise.resolve({ ok: false, reason: 'unavailable' });
      // already at the cap here: no need to ask the others
      const full = claims.find((c) => (open.get(c.key) ?? 0) >= c.cap);
      if (full !== undefined) return Promise.resolve({ ok: false, reason: 'cap', key: full.key });
      return new Promise<Admission>((resolve) => {
        for (const c of claims) {
          add(counted, c.key, 1);
          dirty.add(c.key);
          if (c.remember === true) remembered.add(c.key);
        }
        waiting.push({ claims, resolve });
        kick();
      });
    },
    async count(keys) {
      const others = await selectOthers(o.pool, instanceId, keys, freshMs);
      return new Map(keys.map((k) => [k, (others.get(k) ?? 0) + (open.get(k) ?? 0)]));
    },
    async held(keys) {
      const rows = await selectHeld(o.pool, instanceId, keys, freshMs);
      return new Map(keys.map((k) => {
        const r = rows.get(k);
        const sockets = (r?.others ?? 0) + (open.get(k) ?? 0);
        const idleUs = r?.idleUs ?? null;
        return [k, { sockets, idleMs: sockets > 0 ? 0 : idleUs === null ? null : Math.floor(idleUs / 1000) }];
      }));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retryTimer);
      await running;
      for (const w of waiting) w.resolve({ ok: false, reason: 'unavailable' });
      waiting = [];
      try {
        await deleteInstance(o.pool, instanceId, [...remembered]);
      } catch (err) {
        log.warn('presence rows not deleted; they stop counting when the heartbeat goes stale', { err });
      }
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

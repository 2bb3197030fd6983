// One ZooKeeper session that comes back by itself, as a small state machine in the manner of
// Curator's ConnectionStateListener:
//
//   LATENT ──connect──▶ CONNECTED ──connection lost──▶ SUSPENDED ──same session back──▶ RECONNECTED
//                           ▲                              │                                  │
//                           │                  session timeout passed, or                     │
//                           │                  the server says "expired"                      │
//                           │                              ▼                                  │
//                           └──────new client, new session── LOST ◀──────────(lost again)─────┘
//   close() from any state ──▶ CLOSED
//
// Why SUSPENDED has a clock of its own: the native client (`zookeeper` v7, the C client) only
// reports an expired session when a server answers "expired". A server whose data was wiped (an
// ensemble rebuilt) never answers at all: it refuses the client because the client has seen a
// newer zxid than its own ("client must try another server"), and the C client retries that
// forever, 'connecting' for good. So, like Curator, we declare the session LOST ourselves once
// we have been disconnected for a whole session timeout (by then the server side has expired it
// anyway, and every ephemeral and watch of it is gone), close that client and open a new one,
// whose handshake starts from zxid 0 and is accepted by any server.
//
// Listeners get every transition. CONNECTED comes with the client of a NEW session (watches and
// ephemerals of an earlier one are gone: set and create them again); RECONNECTED with the same
// client and session (the C client re-registers its watches itself). Nothing here blocks start-up:
// with ZooKeeper unreachable the service runs and isConnected() says false.
import ZooKeeper from 'zookeeper';
import type { Logger } from '../log';

export type Zk = ZooKeeper;

export type ZkState = 'LATENT' | 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'CLOSED';

/** Told of every state change; `zk` is the live client in CONNECTED and RECONNECTED. */
export type ZkStateListener = (state: ZkState, zk: Zk | undefined) => void;

export interface ZkSessionOptions {
  connect: string;
  /** Session timeout asked of the server; also how long SUSPENDED lasts before LOST. */
  timeoutMs: number;
  log: Logger;
  /** Backoff before a new client after one failed to start or closed; default 0.5 s doubling to 10 s. */
  retryDelayMs?: (attempt: number) => number;
}

export interface ZkSession {
  state(): ZkState;
  isConnected(): boolean;
  /** The live client while connected (CONNECTED or RECONNECTED). */
  client(): Zk | undefined;
  /** Returns an unsubscribe. A listener added while connected is not replayed: read state(). */
  onState(listener: ZkStateListener): () => void;
  /** Sessions opened so far (1 after the first connect); for tests and logs. */
  sessions(): number;
  close(): void;
}

/**
 * Short on purpose: an instance that dies keeps its membership znode (and so its share of the
 * order-service cap, and a leadership) until its session expires, so its share returns and a
 * new leader is elected that many seconds after it died. Not shorter: the C client's pings run on
 * the event loop, and a loop stalled by a backlog for a couple of seconds must not cost a healthy
 * instance its session. The server grants 2 to 20 ticks (4 s to 40 s with tickTime=2000).
 */
export const ZK_SESSION_TIMEOUT_MS = 6000;

const defaultDelay = (attempt: number): number => Math.min(10_000, 500 * 2 ** attempt);

export function openZkSession(opts: ZkSessionOptions): ZkSession {
  const delay = opts.retryDelayMs ?? defaultDelay;
  const listeners = new Set<ZkStateListener>();
  let state: ZkState = 'LATENT';
  let zk: Zk | undefined;
  let attempt = 0;
  let sessions = 0;
  let reopenTimer: NodeJS.Timeout | undefined;
  let lostTimer: NodeJS.Timeout | undefined;

  const enter = (next: ZkState, client: Zk | undefined): void => {
    state = next;
    for (const l of listeners) {
      try {
        l(next, client);
      } catch (err) {
        opts.log.error('zookeeper state listener failed', { err, state: next });
      }
    }
  };

  const clearLostTimer = (): void => {
    if (lostTimer !== undefined) clearTimeout(lostTimer);
    lostTimer = undefined;
  };

  const scheduleOpen = (why: string): void => {
    if (state === 'CLOSED' || reopenTimer !== undefined) return;
    const wait = delay(attempt++);
    opts.log.warn(`zookeeper ${why}; opening a new session`, { connect: opts.connect, inMs: wait });
    reopenTimer = setTimeout(open, wait);
  };

  /** Gives up on `client` (expired, or presumed so) and starts over with a new one. */
  const lose = (client: Zk, why: string): void => {
    if (zk !== client) return;
    clearLostTimer();
    zk = undefined;
    // Detached first: the 'close' this provokes must not be taken for the new client's.
    try {
      client.close();
    } catch {
      // already closed by the C client
    }
    enter('LOST', undefined);
    scheduleOpen(why);
  };

  function open(): void {
    reopenTimer = undefined;
    if (state === 'CLOSED') return;
    const client = new ZooKeeper({
      connect: opts.connect,
      timeout: opts.timeoutMs,
      // 0 silences the C client's own stderr lines (one "connection loss" per reconnect attempt
      // during an outage, not JSON); the state changes are logged here instead.
      debug_level: 0,
      host_order_deterministic: false,
      // The addon closes a handle by itself after 10 consecutive reads that found nothing
      // (`response_counter_limit`, default 10). Right after ZooKeeper restarts that fires on
      // healthy new handles (seen in zk-session-lost.test.ts: eleven empty reads within a
      // millisecond, then "no response too many times", every new session for over 40 s), so the
      // service stayed without ZooKeeper. Dead connections are found by the C client's own
      // receive timeout and by our SUSPENDED clock instead.
      response_counter_limit: 2_000_000_000,
    });
    client.setLogger(false);
    let connectedBefore = false;
    zk = client;
    client.on('connect', () => {
      if (zk !== client) return;
      clearLostTimer();
      attempt = 0;
      if (connectedBefore) {
        opts.log.info('zookeeper reconnected (same session)', { connect: opts.connect });
        enter('RECONNECTED', client);
        return;
      }
      connectedBefore = true;
      sessions += 1;
      opts.log.info('zookeeper connected (new session)', { connect: opts.connect, session: sessions });
      enter('CONNECTED', client);
    });
    client.on('connecting', () => {
      if (zk !== client || !connectedBefore || state === 'SUSPENDED') return;
      opts.log.warn('zookeeper connection lost; reconnecting', { connect: opts.connect, lostAfterMs: opts.timeoutMs });
      enter('SUSPENDED', undefined);
      lostTimer = setTimeout(() => lose(client, 'disconnected for a whole session timeout: session presumed expired'), opts.timeoutMs);
    });
    client.on('close', () => {
      // The C client closes a handle by itself when the server says the session expired.
      lose(client, 'session expired');
    });
    try {
      client.init({});
    } catch (err) {
      zk = undefined;
      opts.log.error('zookeeper client failed to start', { err });
      scheduleOpen('client failed to start');
    }
  }
  open();

  return {
    state: () => state,
    isConnected: () => state === 'CONNECTED' || state === 'RECONNECTED',
    client: () => (state === 'CONNECTED' || state === 'RECONNECTED' ? zk : undefined),
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sessions: () => sessions,
    close() {
      if (state === 'CLOSED') return;
      if (reopenTimer !== undefined) clearTimeout(reopenTimer);
      reopenTimer = undefined;
      clearLostTimer();
      const client = zk;
      zk = undefined;
      enter('CLOSED', undefined);
      listeners.clear();
      client?.close();
    },
  };
}

/** The ZooKeeper return code in an error of the promise API ("-101 no node"), if any. */
export function zkCode(err: unknown): number | undefined {
  const m = err instanceof Error ? /^(-?\d+)\s/.exec(err.message) : null;
  return m === null ? undefined : Number(m[1]);
}

/** Data of a `get`/`w_get` answer as text (null for a node without data). */
export function dataText(answer: unknown[]): string | null {
  const data = answer[1];
  if (data === null || data === undefined) return null;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return typeof data === 'string' ? data : null;
}

// One ZooKeeper session that comes back by itself. The native client (`zookeeper` v7, the C
// client underneath) reconnects on its own while the session lives and emits 'connecting' /
// 'connect'; when the session has expired (server down longer than the session timeout) it
// closes for good and emits 'close'. Then a new client is made, with backoff. Nothing here
// blocks start-up: with ZooKeeper unreachable the service runs and isConnected() says false.
import ZooKeeper from 'zookeeper';
import type { Logger } from '../log';

export type Zk = ZooKeeper;

export interface ZkSessionOptions {
  connect: string;
  /** Session timeout asked of the server. */
  timeoutMs: number;
  log: Logger;
  /**
   * Called on every (re)connection. `fresh` is true on the first connection of a new session:
   * watches of an earlier session are gone and must be set again.
   */
  onConnected(zk: Zk, fresh: boolean): void;
  /** Backoff before a new session after one closed; default 1 s doubling to 30 s. */
  retryDelayMs?: (attempt: number) => number;
}

export interface ZkSession {
  isConnected(): boolean;
  /** The live client while connected. */
  client(): Zk | undefined;
  close(): void;
}

const defaultDelay = (attempt: number): number => Math.min(30_000, 1000 * 2 ** attempt);

export function openZkSession(opts: ZkSessionOptions): ZkSession {
  const delay = opts.retryDelayMs ?? defaultDelay;
  let zk: Zk | undefined;
  let connected = false;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const open = (): void => {
    timer = undefined;
    if (closed) return;
    const client = new ZooKeeper({
      connect: opts.connect,
      timeout: opts.timeoutMs,
      // 0 silences the C client's own stderr lines (one "connection loss" per reconnect attempt
      // during an outage, not JSON); the state changes are logged here instead.
      debug_level: 0,
      host_order_deterministic: false,
    });
    client.setLogger(false);
    let fresh = true;
    zk = client;
    client.on('connect', () => {
      if (zk !== client) return;
      connected = true;
      attempt = 0;
      opts.log.info('zookeeper connected', { connect: opts.connect, fresh });
      const wasFresh = fresh;
      fresh = false;
      opts.onConnected(client, wasFresh);
    });
    client.on('connecting', () => {
      if (zk !== client) return;
      if (connected) opts.log.warn('zookeeper connection lost; reconnecting', { connect: opts.connect });
      connected = false;
    });
    client.on('close', () => {
      if (zk !== client) return;
      connected = false;
      zk = undefined;
      if (closed) return;
      const wait = delay(attempt++);
      opts.log.warn('zookeeper session closed; opening a new one', { connect: opts.connect, inMs: wait });
      timer = setTimeout(open, wait);
    });
    try {
      client.init({});
    } catch (err) {
      zk = undefined;
      const wait = delay(attempt++);
      opts.log.error('zookeeper client failed to start; retrying', { err, inMs: wait });
      timer = setTimeout(open, wait);
    }
  };
  open();

  return {
    isConnected: () => connected,
    client: () => (connected ? zk : undefined),
    close() {
      closed = true;
      connected = false;
      if (timer !== undefined) clearTimeout(timer);
      const client = zk;
      zk = undefined;
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

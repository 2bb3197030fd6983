// The WebSocket hub on GET /ws. It is the local ChangeNotifier (a change committed here is pushed
// at once) and polls merchant_seq for changes committed by other instances.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TokenAuth } from '../auth/token-auth';
import type { ChangeNotifier } from '../changes/append';
import type { Pool } from '../db/pool';
import { addressKey } from '../limits/keyed-limiter';
import { createLimiters, retryAfterSeconds, type Limiters } from '../limits/limits';
import type { Logger } from '../log';
import { createPresence, type Presence } from '../presence/presence';
import { kitchenScreenClaim } from '../presence/screens';
import { parseClientMessage, toBuffer } from './client-message';
import {
  CLOSE_TOKEN_EXPIRED, CLOSE_TOKEN_REVOKED, closeClient, createClient, sendFrame, type PushClient, type Subscriber,
} from './client';
import { createFeed, type Feed, type FeedContext } from './feed';
import { controlFrame } from './frames';
import { selectMerchantSeqs } from './select-seqs';
import { createSlots } from './slots';
import { DEFAULT_SOCKET_CAPS, socketClaims, type SocketCaps } from './socket-caps';
import { decideUpgrade, type UpgradeDecision } from './upgrade-auth';

export interface PushHubDeps {
  pool: Pool;
  /** The token check shared with the HTTP API; its revocations close sockets here. */
  auth: TokenAuth;
  /** Connect limits per token and per address (default DEFAULT_RATE_LIMITS). */
  limiters?: Limiters;
  boardDays: number;
  log: Logger;
  /**
   * Open sockets across instances, for the caps per token/device and per address. Default: one
   * of the hub's own on `pool`, closed with it.
   */
  presence?: Presence;
}

export interface PushHubOptions {
  /** How often merchant_seq is polled for changes made by other instances (default 200 ms). */
  pollMs?: number;
  /** Ping interval; a screen that missed the previous pong is dropped (default 20 s). */
  heartbeatMs?: number;
  /** Send buffer above which a screen is closed with 4008 (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How long a closed screen may take to read up to the close frame before it is dropped (default 2 s). */
  closeGraceMs?: number;
  /** Screens further behind than this many changes get a snapshot (default 10 000). */
  maxReplay?: number;
  /** Seconds from a change's commit to its first push to live screens (metrics). */
  onPushed?: (seconds: number) => void;
  /**
   * Snapshot reads in flight at once over all merchants (default 4): a reconnect storm of many
   * merchants then takes 4 of the pool's connections, never all of them from the pipeline.
   */
  snapshotConcurrency?: number;
  /** Open sockets per token or device and per address, across instances (default DEFAULT_SOCKET_CAPS). */
  socketCaps?: SocketCaps;
  /** Told of every snapshot read (one may serve many screens): metrics and tests. */
  onSnapshotRead?: (merchantId: string) => void;
}

export interface PushHub extends ChangeNotifier {
  /** For http.Server 'upgrade': authenticates, then serves the socket or answers 4xx. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  /** Closes every screen (1001) and stops polling; resolves when in-flight reads are done. */
  close(): Promise<void>;
}

// above MAX_CLIENT_MESSAGE_BYTES a message gets an error frame; far above, ws closes with 1009,
// so one client cannot make the server buffer a huge frame
const MAX_PAYLOAD = 64 * 1024;

function refuse(socket: Duplex, status: number, code: string, message: string, headers = ''): void {
  const body = JSON.stringify({ error: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n${headers}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function refuseRateLimited(socket: Duplex, retryAfterMs: number, message: string): void {
  const seconds = retryAfterSeconds(retryAfterMs);
  refuse(socket, 429, 'rate_limited', `${message}; retry after ${seconds} s`, `Retry-After: ${seconds}\r\n`);
}

export function createPushHub(deps: PushHubDeps, opts: PushHubOptions = {}): PushHub {
  const ctx: FeedContext = {
    pool: deps.pool,
    log: deps.log.child({ component: 'push' }),
    boardDays: deps.boardDays,
    maxBufferedBytes: opts.maxBufferedBytes ?? 1024 * 1024,
    maxReplay: opts.maxReplay ?? 10_000,
    ...(opts.onPushed ? { onPushed: opts.onPushed } : {}),
    snapshotSlots: createSlots(opts.snapshotConcurrency ?? 4),
    ...(opts.onSnapshotRead ? { onSnapshotRead: opts.onSnapshotRead } : {}),
  };
  const limiters = deps.limiters ?? createLimiters();
  const log = ctx.log;
  const ownPresence = deps.presence === undefined;
  const presence = deps.presence ?? createPresence({ pool: deps.pool, log });
  const caps = opts.socketCaps ?? DEFAULT_SOCKET_CAPS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, clientTracking: false });
  const feeds = new Map<string, Feed>();
  const clients = new Set<PushClient>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let polling = false;

  const onMessage = (c: PushClient, data: RawData, isBinary: boolean): void => {
    const msg = parseClientMessage(toBuffer(data), isBinary);
    const frame =
      msg.kind === 'ping'
        ? controlFrame('pong', c.sentSeq)
        : controlFrame('error', c.sentSeq, { error: 'bad_message', message: msg.reason });
    sendFrame(c, frame, ctx.maxBufferedBytes);
  };

  // Counted before the upgrade, across instances; over a cap the upgrade is answered 429 and the
  // holder's open sockets are kept (contract). The count is released when the TCP socket closes,
  // however that happens (an upgrade that fails, a screen that leaves, shutdown). A kitchen screen
  // is also counted under its station, which the printers' fallback asks presence about.
  const admitThenUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, d: Extract<UpgradeDecision, { ok: true }>): void => {
    const claims = socketClaims(d.limitKey, req.socket.remoteAddress, caps);
    const station = d.sub.kitchenStation;
    if (station !== undefined) claims.push(kitchenScreenClaim(d.sub.merchantId, station));
    void presence.admit(claims).then((a) => {
      if (!a.ok) {
        if (a.reason === 'unavailable') refuse(socket, 503, 'unavailable', 'screens are unavailable; retry shortly', 'Retry-After: 2\r\n');
        else refuse(socket, 429, 'too_many_sockets', a.key.startsWith('addr:')
          ? `at most ${caps.perAddress} open sockets per address` : `at most ${caps.perToken} open sockets per token or device`,
        'Retry-After: 10\r\n');
        return;
      }
      if (closed || socket.destroyed) {
        a.release();
        if (!socket.destroyed) refuse(socket, 503, 'shutting_down', 'server is shutting down');
        return;
      }
      socket.once('close', a.release);
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, d.sub, d.afterSeq, d.expiresAtMs));
    });
  };

  const attach = (ws: WebSocket, sub: Subscriber, afterSeq: number | undefined, expiresAtMs: number): void => {
    const c = createClient(ws, sub, opts.closeGraceMs);
    // a token is checked once, at connect: end the session when it expires, as the API would
    const expiry = setTimeout(
      () => closeClient(c, CLOSE_TOKEN_EXPIRED, 'token expired'),
      Math.min(Math.max(0, expiresAtMs - Date.now()), 2 ** 31 - 1),
    );
    expiry.unref();
    clients.add(c);
    let feed = feeds.get(sub.merchantId);
    if (feed === undefined) {
      feed = createFeed(ctx, sub.merchantId);
      feeds.set(sub.merchantId, feed);
    }
    const f = feed;
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('error', (err) => log.debug('screen socket error', { err }));
    ws.on('close', () => {
      clearTimeout(expiry);
      c.done = true;
      c.live = false;
      clients.delete(c);
      f.clients.delete(c);
      if (f.clients.size === 0 && feeds.get(sub.merchantId) === f) feeds.delete(sub.merchantId);
    });
    f.start(c, afterSeq);
  };

  // Other instances' commits are seen by polling: one indexed IN query for all merchants that
  // have screens here, so the cost follows merchants, not screens.
  const poll = async (): Promise<void> => {
    if (polling || closed || feeds.size === 0) return;
    polling = true;
    try {
      const seqs = await selectMerchantSeqs(deps.pool, [...feeds.keys()]);
      for (const [merchantId, seq] of seqs) {
        const f = feeds.get(merchantId);
        if (f !== undefined && seq > f.minSentSeq()) f.requestPump();
      }
    } catch (err) {
      log.warn('merchant_seq poll failed', { err });
    } finally {
      polling = false;
    }
  };
  const pollTimer = setInterval(() => void poll(), opts.pollMs ?? 200);
  pollTimer.unref();

  // a revoked device's screens are closed at once (this instance's revocations) or at the next
  // revocation poll (another instance's): within ~2 s, inside the contract's 5 s
  const stopRevocations = deps.auth.onRevoked((ids) => {
    const set = new Set(ids);
    for (const c of clients) {
      if (c.sub.deviceId !== undefined && set.has(c.sub.deviceId)) closeClient(c, CLOSE_TOKEN_REVOKED, 'device revoked');
    }
  });

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.done = true;
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, opts.heartbeatMs ?? 20_000);
  heartbeat.unref();

  return {
    changed(merchantId, seq) {
      const f = feeds.get(merchantId);
      if (f !== undefined && seq > f.minSentSeq()) f.requestPump();
    },
    handleUpgrade(req, socket, head) {
      socket.on('error', () => undefined); // a reset during the handshake must not crash us
      if (closed) {
        refuse(socket, 503, 'shutting_down', 'server is shutting down');
        return;
      }
      // per address before the token check: a flood of bad tokens costs no verification
      const byAddress = limiters.wsPerAddress.take(addressKey(req.socket.remoteAddress));
      if (!byAddress.ok) {
        refuseRateLimited(socket, byAddress.retryAfterMs, 'too many connects from this address');
        return;
      }
      let d: UpgradeDecision;
      try {
        d = decideUpgrade(req.url ?? '/', req.headers.authorization, (t) => deps.auth.verify(t));
      } catch {
        refuse(socket, 400, 'bad_request', 'malformed request');
        return;
      }
      if (!d.ok) {
        refuse(socket, d.status, d.code, d.message);
        return;
      }
      const byToken = limiters.wsPerToken.take(d.limitKey);
      if (!byToken.ok) {
        refuseRateLimited(socket, byToken.retryAfterMs, 'too many connects with this token');
        return;
      }
      admitThenUpgrade(req, socket, head, d);
    },
    clientCount: () => clients.size,
    close() {
      // idempotent: the HTTP server closes the hub, and so does the teardown of a failed start
      closing ??= shutDown();
      return closing;
    },
  };

  async function shutDown(): Promise<void> {
    closed = true;
    stopRevocations();
    clearInterval(pollTimer);
    clearInterval(heartbeat);
    for (const c of clients) closeClient(c, 1001, 'server shutting down');
    await Promise.all([...feeds.values()].map((f) => f.idle()));
    for (const c of clients) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (ownPresence) await presence.close();
  }
}

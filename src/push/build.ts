// The screens feature's builder. Built before everything that feeds it (the pipeline, the retry
// job, dish marks), which get it as their ChangeNotifier: it is told of every change this
// instance commits, and polls merchant_seq for other instances' commits.
import type { TokenAuth } from '../auth/token-auth';
import type { Pool } from '../db/pool';
import type { Limiters } from '../limits/limits';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import type { Presence } from '../presence/presence';
import { createPushHub, type PushHub } from './hub';
import type { SocketCaps } from './socket-caps';

export interface PushOptions {
  pool: Pool;
  auth: TokenAuth;
  limiters: Limiters;
  /** Open sockets across instances (src/presence/build.ts) and the caps counted there; kitchen screens are counted there too. */
  presence: Presence;
  socketCaps: SocketCaps;
  boardDays: number;
  log: Logger;
  teardown: Teardown;
  /** Seconds from a change's commit to its first push to a live screen (metrics). */
  onPushed?: (seconds: number) => void;
  /** Each snapshot read for screens (metrics). */
  onSnapshotRead?: () => void;
}

export function buildPush(o: PushOptions): PushHub {
  const hub = createPushHub(
    {
      pool: o.pool, auth: o.auth, limiters: o.limiters, presence: o.presence, boardDays: o.boardDays, log: o.log,
    },
    {
      socketCaps: o.socketCaps,
      ...(o.onPushed ? { onPushed: o.onPushed } : {}),
      ...(o.onSnapshotRead ? { onSnapshotRead: o.onSnapshotRead } : {}),
    },
  );
  // Normally the HTTP server closes the hub first (screens go before the server waits for its
  // connections); this covers a start that fails before the server exists. close() is idempotent.
  o.teardown.add('screens', () => hub.close());
  return hub;
}

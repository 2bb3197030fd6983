// The HTTP surface of the service (contract: HTTP and WebSocket on one port). main.ts builds the
// adapters and calls these factories; nothing here reads config or opens resources on its own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Router } from 'express';
import type { TokenAuth } from '../auth/token-auth';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Pool } from '../db/pool';
import { addressKey } from '../limits/keyed-limiter';
import { createLimiters, type Limiters } from '../limits/limits';
import type { Logger } from '../log';
import type { PushHub } from '../push/hub';
import { createApiRouter } from './api-routes';
import { createAuth, type AuthMiddleware } from './auth';
import { errorHandler, notFound } from './errors';
import { sendRateLimited } from './rate-limited';
import { createOpsAccess, type OpsAccessConfig } from './ops-access';
import { createOpsRouter } from './ops-routes';
import { createPagesRouter } from './pages';
export { claimsOf, merchantOf, type AuthMiddleware } from './auth';

export interface HttpDeps {
  pool: Pool;
  /** The token check shared with the WebSocket hub (environment, lifetime, revoked devices). */
  auth: TokenAuth;
  /** Per-token and per-address limits (default DEFAULT_RATE_LIMITS); share them with the hub. */
  limiters?: Limiters;
  /** Who may read /metrics and /readyz detail (default: loopback, or an admin token). */
  ops?: OpsAccessConfig;
  boardDays: number;
  log: Logger;
  /** name → connected (mysql, kafka, zookeeper); /readyz answers 503 naming the false ones. */
  readiness: () => Promise<Record<string, boolean>>;
  metricsText: () => Promise<string>;
  /** Commits the screens' marks (and notifies the push hub after commit). */
  work: UnitOfWork;
  /**
   * Extra /api routers of other features (e.g. the retries admin API), given the auth middleware.
   * Bodies are not pre-parsed: put `jsonBody` (src/http-kit/body.ts) after `auth.requireRole(...)`
   * where one is needed; throw HttpError (src/http-kit/errors.ts) for a 4xx.
   */
  routers?: Array<(auth: AuthMiddleware) => Router>;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const limiters = deps.limiters ?? createLimiters();
  const auth = createAuth(deps.auth, limiters.apiPerToken);

  app.use(createOpsRouter(deps, createOpsAccess(deps.ops ?? { allowFrom: ['127.0.0.1/8', '::1'] }, deps.auth)));
  // per address before the token check: a flood of bad tokens is refused without verifying each
  app.use('/api', (req, res, next) => {
    const taken = limiters.apiPerAddress.take(addressKey(req.socket.remoteAddress));
    if (taken.ok) next();
    else sendRateLimited(res, taken.retryAfterMs, 'too many calls from this address');
  });
  app.use('/api', createApiRouter(deps, auth));
  for (const make of deps.routers ?? []) app.use('/api', make(auth));
  app.use(createPagesRouter());
  app.use(notFound);
  app.use(errorHandler(deps.log.child({ component: 'http' })));
  return app;
}

export interface HttpServer {
  readonly server: Server;
  readonly app: Express;
  /** Resolves with the bound port (pass 0 for any free port). */
  listen(port: number, host?: string): Promise<number>;
  /** Closes screens (via the hub), stops accepting, lets in-flight requests finish (≤ graceMs). */
  close(graceMs?: number): Promise<void>;
}

export function createHttpServer(deps: HttpDeps, hub: PushHub): HttpServer {
  const app = createHttpApp(deps);
  const server = createServer(app);
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  return {
    server,
    app,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close(graceMs = 5000) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await hub.close();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await stopped;
      clearTimeout(force);
    },
  };
}

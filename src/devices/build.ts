// The tokens feature's builder: one token check for HTTP and WebSocket, bound to KDS_ENV, with
// revoked devices polled from MySQL (the set is loaded before the first request is served), and
// the manager's device routes. Built before the screens and the HTTP server, which share it.
import type { Router } from 'express';
import { createTokenAuth, type TokenAuth } from '../auth/token-auth';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/auth';
import type { Teardown } from '../lifecycle/teardown';
import type { Logger } from '../log';
import { createRevocations } from './revocations';
import { createDeviceRouter } from './routes';

export interface TokensOptions {
  pool: Pool;
  secret: string;
  env: string;
  log: Logger;
  teardown: Teardown;
}

export interface Tokens {
  auth: TokenAuth;
  /** GET /api/merchants/{id}/devices, DELETE /api/devices/{id}: for the HTTP server's routers. */
  routes: (auth: AuthMiddleware) => Router;
}

export async function buildTokens(o: TokensOptions): Promise<Tokens> {
  const revocations = createRevocations(o.pool, o.log.child({ component: 'devices' }));
  await revocations.start();
  o.teardown.add('device revocations', () => revocations.close());
  return {
    auth: createTokenAuth({ secret: o.secret, env: o.env }, revocations),
    routes: createDeviceRouter({ pool: o.pool, revokedHere: (id) => revocations.revokedHere(id) }),
  };
}

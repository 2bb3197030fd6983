// Liveness, readiness and metrics. /healthz is open; /readyz is open but names what is not ready
// only to allowed callers (ops-access.ts) and is limited per address; /metrics is for allowed
// callers only.
import express, { type Router } from 'express';
import { asyncRoute, sendError } from '../http-kit/errors';
import { addressKey, createKeyedLimiter } from '../limits/keyed-limiter';
import type { BucketSpec } from '../limits/token-bucket';
import type { OpsAccessCheck } from './ops-access';
import { sendRateLimited } from './rate-limited';

export interface OpsDeps {
  /**
   * name → connected, e.g. { mysql: true, kafka: false, zookeeper: true }. In the service an
   * answer at most ~1 s old, one check in flight (src/readiness/build.ts).
   */
  readiness: () => Promise<Record<string, boolean>>;
  metricsText: () => Promise<string>;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * /readyz calls per address: load balancers and kubelets probe every few seconds from a handful of
 * addresses; a loop beyond this gets 429 before any check (docs/screens.md).
 */
export const READYZ_PER_ADDRESS: BucketSpec = Object.freeze({ perMinute: 120, burst: 30 });

export function createOpsRouter(deps: OpsDeps, mayInspect: OpsAccessCheck): Router {
  const router = express.Router();
  const readyzLimit = createKeyedLimiter(READYZ_PER_ADDRESS);
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get(
    '/readyz',
    asyncRoute(async (req, res) => {
      const taken = readyzLimit.take(addressKey(req.socket.remoteAddress));
      if (!taken.ok) {
        sendRateLimited(res, taken.retryAfterMs, 'too many readiness checks from this address');
        return;
      }
      const detail = mayInspect(req.socket.remoteAddress, req.get('authorization'));
      let checks: Record<string, boolean>;
      try {
        checks = await deps.readiness();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        res.status(503).json({ error: 'not_ready', message: detail ? `readiness check failed: ${why}` : 'not ready' });
        return;
      }
      const down = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
      if (down.length > 0) {
        if (!detail) res.status(503).json({ error: 'not_ready', message: 'not ready' });
        else res.status(503).json({ error: 'not_ready', message: `not ready: ${down.join(', ')}`, notReady: down, checks });
        return;
      }
      res.json(detail ? { status: 'ready', checks } : { status: 'ready' });
    }),
  );
  router.get(
    '/metrics',
    asyncRoute(async (req, res) => {
      if (!mayInspect(req.socket.remoteAddress, req.get('authorization'))) {
        res.set('WWW-Authenticate', 'Bearer');
        sendError(res, 401, 'unauthorized', '/metrics needs Authorization: Bearer <METRICS_TOKEN or admin token>, or a caller in OPS_ALLOW_FROM');
        return;
      }
      const text = await deps.metricsText();
      res.type(PROMETHEUS_TEXT).send(text);
    }),
  );
  return router;
}

// Liveness, readiness and metrics. /healthz is open; /readyz is open but names what is not ready
// only to allowed callers (ops-access.ts); /metrics is for allowed callers only.
import express, { type Router } from 'express';
import { asyncRoute, sendError } from '../http-kit/errors';
import type { OpsAccessCheck } from './ops-access';

export interface OpsDeps {
  /** name → connected, e.g. { mysql: true, kafka: false, zookeeper: true }. */
  readiness: () => Promise<Record<string, boolean>>;
  metricsText: () => Promise<string>;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export function createOpsRouter(deps: OpsDeps, mayInspect: OpsAccessCheck): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get(
    '/readyz',
    asyncRoute(async (req, res) => {
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

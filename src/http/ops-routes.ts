// Liveness, readiness and metrics: open to anyone (load balancers and Prometheus carry no token).
import express, { type Router } from 'express';
import { asyncRoute } from '../http-kit/errors';

export interface OpsDeps {
  /** name → connected, e.g. { mysql: true, kafka: false, zookeeper: true }. */
  readiness: () => Promise<Record<string, boolean>>;
  metricsText: () => Promise<string>;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export function createOpsRouter(deps: OpsDeps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get(
    '/readyz',
    asyncRoute(async (_req, res) => {
      let checks: Record<string, boolean>;
      try {
        checks = await deps.readiness();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        res.status(503).json({ error: 'not_ready', message: `readiness check failed: ${why}` });
        return;
      }
      const down = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
      if (down.length > 0) {
        res.status(503).json({ error: 'not_ready', message: `not ready: ${down.join(', ')}`, notReady: down, checks });
        return;
      }
      res.json({ status: 'ready', checks });
    }),
  );
  router.get(
    '/metrics',
    asyncRoute(async (_req, res) => {
      const text = await deps.metricsText();
      res.type(PROMETHEUS_TEXT).send(text);
    }),
  );
  return router;
}

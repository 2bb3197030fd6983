// GET /api/ops/status (admin): the console's live panels (./status.ts). Mounted under /api through
// src/http/app.ts's `routers`, like the retry table's and the dead letters' APIs.
import express, { type RequestHandler, type Router } from 'express';
import { asyncRoute } from '../http-kit/errors';
import { readOpsStatus, type OpsSources } from './status';

export interface AdminGuard {
  requireRole(role: 'admin'): RequestHandler;
}

export function createOpsStatusRouter(sources: OpsSources): (auth: AdminGuard) => Router {
  return (auth) => {
    const router = express.Router();
    router.get('/ops/status', auth.requireRole('admin'), asyncRoute(async (_req, res) => {
      res.json(await readOpsStatus(sources));
    }));
    return router;
  };
}

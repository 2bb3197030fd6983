// Hold and fire an order or a course (contract "Kitchen workflows"), mounted under /api.
import express, { type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { UnitOfWork } from '../changes/unit-of-work';
import { claimsOf, type AuthMiddleware } from '../http/auth';
import { idParam } from '../http/params';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { courseQuery } from './course';
import { fireOrder, holdOrder, type FiringRequest, type FiringResult } from './hold-fire';

export function createFiringRouter(deps: { work: UnitOfWork }): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();
    const route = (action: (work: UnitOfWork, req: FiringRequest) => Promise<FiringResult>) =>
      asyncRoute(async (req, res) => {
        const orderId = idParam(req, 'orderId');
        const course = courseQuery(req);
        requireObjectBody(req);
        const claims = claimsOf(res);
        const r = await action(deps.work, { orderId, ...(course !== undefined ? { course } : {}), mayAccess: (m) => mayUseMerchant(claims, m) });
        if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `order ${orderId} not found`);
        if (r.kind === 'forbidden') throw new HttpError(403, 'forbidden', 'order of another merchant');
        res.json(r.order);
      });
    router.post('/orders/:orderId/hold', auth.requireRole('waiter', 'manager'), jsonBody, route(holdOrder));
    router.post('/orders/:orderId/fire', auth.requireRole('waiter', 'kitchen', 'manager'), jsonBody, route(fireOrder));
    return router;
  };
}

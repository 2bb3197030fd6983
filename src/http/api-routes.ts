// The screens' API: order and board reads, and the cook's and waiter's marks.
import express, { type Router } from 'express';
import { mayReadOrder, mayUseMerchant } from '../auth/access';
import type { UnitOfWork } from '../changes/unit-of-work';
import { readBoardWithSeq, readOrder } from '../board/read';
import type { Pool } from '../db/pool';
import { actorOf } from '../dishes/insert-dish-mark';
import { markDish } from '../dishes/mark';
import type { MarkTarget } from '../dishes/transitions';
import { claimsOf, type AuthMiddleware } from './auth';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { idParam, stationQuery } from './params';

export interface ApiDeps {
  pool: Pool;
  boardDays: number;
  work: UnitOfWork;
}

export function createApiRouter(deps: ApiDeps, auth: AuthMiddleware): Router {
  const router = express.Router();

  router.get(
    '/orders/:orderId',
    auth.requireRole('kitchen', 'waiter', 'manager', 'guest', 'admin'),
    asyncRoute(async (req, res) => {
      const orderId = idParam(req, 'orderId');
      const claims = claimsOf(res);
      // a guest learns nothing about other orders, not even whether they exist
      if (claims.role === 'guest' && claims.orderId !== orderId) {
        throw new HttpError(403, 'forbidden', 'a guest token sees only its own order');
      }
      const order = await readOrder(deps.pool, orderId);
      if (order === undefined) throw new HttpError(404, 'not_found', `order ${orderId} not found`);
      if (!mayReadOrder(claims, order)) throw new HttpError(403, 'forbidden', 'order of another merchant');
      res.json(order);
    }),
  );

  router.get(
    '/merchants/:merchantId/board',
    auth.requireRole('kitchen', 'waiter', 'manager', 'admin'),
    asyncRoute(async (req, res) => {
      const merchantId = idParam(req, 'merchantId');
      const station = stationQuery(req);
      if (!mayUseMerchant(claimsOf(res), merchantId)) {
        throw new HttpError(403, 'forbidden', 'token of another merchant');
      }
      const { seq, value: orders } = await readBoardWithSeq(deps.pool, merchantId, deps.boardDays, station);
      res.json({ merchantId, station: station ?? null, seq, serverTime: new Date().toISOString(), orders });
    }),
  );

  const mark = (target: MarkTarget) =>
    asyncRoute(async (req, res) => {
      const itemId = idParam(req, 'itemId');
      requireObjectBody(req);
      const claims = claimsOf(res);
      const r = await markDish(
        { work: deps.work },
        { itemId, target, mayAccess: (m) => mayUseMerchant(claims, m), actor: actorOf(claims) },
      );
      switch (r.kind) {
        case 'ok':
          res.json(r.dish);
          return;
        case 'not_found':
          throw new HttpError(404, 'not_found', `dish ${itemId} not found`);
        case 'forbidden':
          throw new HttpError(403, 'forbidden', 'dish of another merchant');
        case 'conflict':
          throw new HttpError(409, 'conflict', r.reason);
      }
    });

  router.post('/dishes/:itemId/ready', auth.requireRole('kitchen'), jsonBody, mark('READY'));
  router.post('/dishes/:itemId/served', auth.requireRole('waiter'), jsonBody, mark('SERVED'));
  return router;
}

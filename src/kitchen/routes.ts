// The kitchen's and the floor's actions during a service (contract "Running a service"): recall,
// bump a ticket, rush, all-day counts and the pickup board. Mounted under /api through the
// `routers` of createHttpServer; every write commits through the unit of work.
import express, { type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Claims, Role } from '../auth/token';
import { readConsistent } from '../board/read';
import { pickupBoard } from '../board/pickup';
import { selectAllDay } from '../board/select-all-day';
import { selectPickupOrders } from '../board/select-pickup';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Pool } from '../db/pool';
import { actorOf } from '../dishes/insert-dish-mark';
import { recallDish } from '../dishes/recall';
import { claimsOf, type AuthMiddleware } from '../http/auth';
import { idParam, stationQuery } from '../http/params';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { bumpOrder } from './bump';
import { setRush } from './rush';

export interface KitchenDeps {
  pool: Pool;
  work: UnitOfWork;
  boardDays: number;
  recallWindowS: number;
}

// `manager` and `board` are the auth feature's roles (contract "Roles"); named here already so the
// calls accept them the moment tokens can carry them.
const MANAGER = 'manager' as string as Role;
const BOARD = 'board' as string as Role;

function merchantParam(req: express.Request, claims: Claims): string {
  const merchantId = idParam(req, 'merchantId');
  if (!mayUseMerchant(claims, merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
  return merchantId;
}

export function createKitchenRouter(deps: KitchenDeps): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();

    router.post(
      '/dishes/:itemId/recall',
      auth.requireRole('kitchen', 'waiter'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const itemId = idParam(req, 'itemId');
        requireObjectBody(req);
        const claims = claimsOf(res);
        const r = await recallDish(deps.work, {
          itemId,
          role: claims.role === 'kitchen' ? 'kitchen' : 'waiter',
          actor: actorOf(claims),
          windowS: deps.recallWindowS,
          mayAccess: (m) => mayUseMerchant(claims, m),
        });
        if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `dish ${itemId} not found`);
        if (r.kind === 'forbidden') throw new HttpError(403, 'forbidden', 'dish of another merchant');
        if (r.kind === 'conflict') throw new HttpError(409, 'conflict', r.reason);
        res.json(r.dish);
      }),
    );

    router.post(
      '/orders/:orderId/ready',
      auth.requireRole('kitchen'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const orderId = idParam(req, 'orderId');
        const station = stationQuery(req);
        requireObjectBody(req);
        const claims = claimsOf(res);
        const r = await bumpOrder(deps.work, {
          orderId, ...(station !== undefined ? { station } : {}), actor: actorOf(claims),
          mayAccess: (m) => mayUseMerchant(claims, m),
        });
        if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `order ${orderId} not found`);
        if (r.kind === 'forbidden') throw new HttpError(403, 'forbidden', 'order of another merchant');
        res.json(r.order);
      }),
    );

    const rush = (on: boolean) =>
      asyncRoute(async (req, res) => {
        const orderId = idParam(req, 'orderId');
        requireObjectBody(req);
        const claims = claimsOf(res);
        const r = await setRush(deps.work, { orderId, rush: on, mayAccess: (m) => mayUseMerchant(claims, m) });
        if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `order ${orderId} not found`);
        if (r.kind === 'forbidden') throw new HttpError(403, 'forbidden', 'order of another merchant');
        res.json(r.order);
      });
    router.post('/orders/:orderId/rush', auth.requireRole('kitchen', 'waiter'), jsonBody, rush(true));
    router.delete('/orders/:orderId/rush', auth.requireRole('kitchen', 'waiter'), jsonBody, rush(false));

    router.get(
      '/merchants/:merchantId/all-day',
      auth.requireRole('kitchen', 'waiter', MANAGER, 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantParam(req, claimsOf(res));
        const station = stationQuery(req);
        const { seq, value } = await readConsistent(deps.pool, merchantId, (db) => selectAllDay(db, merchantId, deps.boardDays, station));
        res.set('X-KDS-Seq', String(seq)).json(value);
      }),
    );

    router.get(
      '/merchants/:merchantId/pickup',
      auth.requireRole(BOARD, MANAGER, 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantParam(req, claimsOf(res));
        const orders = await selectPickupOrders(deps.pool, merchantId);
        res.json(pickupBoard(orders, new Date()));
      }),
    );

    return router;
  };
}

// The pass and the floor (contract "Kitchen workflows"): the expo, serving a ticket or course, and
// batches. Mounted under /api.
import express, { type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Claims } from '../auth/token';
import { readConsistent } from '../board/read';
import type { UnitOfWork } from '../changes/unit-of-work';
import type { Pool } from '../db/pool';
import { actorOf } from '../dishes/insert-dish-mark';
import { courseQuery } from '../firing/course';
import { claimsOf, type AuthMiddleware } from '../http/auth';
import { idParam, stationQuery } from '../http/params';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { markBatchReady, readBatches, type BatchKey } from './batches';
import { readExpo, readHeld } from './expo';
import { serveOrder } from './serve-order';

export interface PassDeps {
  pool: Pool;
  work: UnitOfWork;
  boardDays: number;
}

function merchantParam(req: express.Request, claims: Claims): string {
  const merchantId = idParam(req, 'merchantId');
  if (!mayUseMerchant(claims, merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
  return merchantId;
}

const optText = (v: unknown, name: string, max: number): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new HttpError(400, 'bad_request', `${name} must be a string of 1-${max} characters or null`);
  return v;
};

/** Body of POST …/batches/ready: {dishId or name, station, note, portions}. */
export function batchBody(body: unknown): { key: BatchKey; portions: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_request', 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const dishId = optText(b.dishId, 'dishId', 64);
  const name = optText(b.name, 'name', 255);
  if (dishId === null && name === null) throw new HttpError(400, 'bad_request', 'body needs dishId or name');
  const portions = b.portions;
  if (typeof portions !== 'number' || !Number.isInteger(portions) || portions < 1 || portions > 10_000) {
    throw new HttpError(400, 'bad_request', 'portions must be an integer from 1 to 10000');
  }
  return { key: { dishId, name, station: optText(b.station, 'station', 64), note: optText(b.note, 'note', 65_535) }, portions };
}

export function createPassRouter(deps: PassDeps): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();

    router.get(
      '/merchants/:merchantId/expo',
      auth.requireRole('kitchen', 'waiter', 'manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantParam(req, claimsOf(res));
        const { seq, value } = await readConsistent(deps.pool, merchantId, (db) => readExpo(db, merchantId, deps.boardDays));
        res.set('X-KDS-Seq', String(seq)).json(value);
      }),
    );

    router.get(
      '/merchants/:merchantId/held',
      auth.requireRole('kitchen', 'waiter', 'manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantParam(req, claimsOf(res));
        const { seq, value } = await readConsistent(deps.pool, merchantId, (db) => readHeld(db, merchantId, deps.boardDays));
        res.set('X-KDS-Seq', String(seq)).json(value);
      }),
    );

    router.post(
      '/orders/:orderId/served',
      auth.requireRole('waiter'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const orderId = idParam(req, 'orderId');
        const course = courseQuery(req);
        requireObjectBody(req);
        const claims = claimsOf(res);
        const r = await serveOrder(deps.work, {
          orderId, ...(course !== undefined ? { course } : {}), actor: actorOf(claims), mayAccess: (m) => mayUseMerchant(claims, m),
        });
        if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `order ${orderId} not found`);
        if (r.kind === 'forbidden') throw new HttpError(403, 'forbidden', 'order of another merchant');
        res.json(r.order);
      }),
    );

    router.get(
      '/merchants/:merchantId/batches',
      auth.requireRole('kitchen', 'manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantParam(req, claimsOf(res));
        const station = stationQuery(req);
        const { seq, value } = await readConsistent(deps.pool, merchantId, (db) => readBatches(db, merchantId, deps.boardDays, station));
        res.set('X-KDS-Seq', String(seq)).json(value);
      }),
    );

    router.post(
      '/merchants/:merchantId/batches/ready',
      auth.requireRole('kitchen'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const claims = claimsOf(res);
        const merchantId = merchantParam(req, claims);
        const { key, portions } = batchBody(req.body);
        res.json(await markBatchReady(deps.work, { merchantId, key, portions, actor: actorOf(claims), boardDays: deps.boardDays }));
      }),
    );
    return router;
  };
}

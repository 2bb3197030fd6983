// Operator API of the retry table (contract: /api/retries…, admin only). Mounted under /api by
// src/http/app.ts through its `routers` dependency, which hands over the auth middleware (the
// AdminGuard port below); errors and bodies come from src/http-kit/, never src/http/ internals.
//
//   GET  /api/retries?status=PENDING|FAILED[,…]&limit=&afterId=&orderId=&merchantId=
//        → JSON array of entries, oldest id first; when a page is full the response carries
//          `X-Next-After-Id: <id>` (pass it as afterId for the next page)
//   GET  /api/retries/{id}          → the entry with `queue`: the open entries of its order behind
//                                     it, oldest first (at most MAX_PAGE)
//   POST /api/retries/{id}/replay   → the entry after the replay attempt (409 unless a FAILED head)
//   POST /api/retries/{id}/discard  → the entry, now DISCARDED (409 if DONE)
import express, { type Request, type RequestHandler, type Router } from 'express';
import { ID_PATTERN } from '../auth/token';
import { jsonBody, requireObjectBody } from '../http-kit/body';
import { asyncRoute, badRequest as bad, HttpError } from '../http-kit/errors';
import { discardEntry, replayEntry, type ActionResult, type RetryAdminDeps } from './admin-actions';
import { ENTRY_STATUSES, OPEN_STATUSES, type EntryStatus } from '../order-queue/states';
import { entriesBehind, listEntries, viewEntry, type EntryView } from './admin-sql';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

/** What these routes need of the HTTP feature's auth (src/http/auth.ts implements it). */
export interface AdminGuard {
  /** 401 without a valid token, 403 for another role. */
  requireRole(role: 'admin'): RequestHandler;
}

function entryId(req: Request): number {
  const raw = req.params.id ?? '';
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) throw bad('id must be a positive whole number');
  return Number(raw);
}

function intQuery(req: Request, name: string, fallback: number, min: number, max: number): number {
  const v = req.query[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^[0-9]{1,15}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw bad(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

function idQuery(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) throw bad(`${name} must be 1-64 characters of [A-Za-z0-9_-]`);
  return v;
}

/** Default PENDING and FAILED (what needs attention); DONE and DISCARDED on request, for audit. */
function statusQuery(req: Request): EntryStatus[] {
  const v = req.query.status;
  if (v === undefined || v === '') return [...OPEN_STATUSES];
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim().toUpperCase()) : [];
  const known = (s: string): s is EntryStatus => (ENTRY_STATUSES as readonly string[]).includes(s);
  if (list.length === 0 || !list.every(known)) {
    throw bad(`status must be one or more (comma-separated) of ${ENTRY_STATUSES.join(', ')}`);
  }
  return [...new Set(list.filter(known))];
}

function sendResult(res: express.Response, r: ActionResult, id: number): void {
  if (r.kind === 'not_found') throw new HttpError(404, 'not_found', `retry entry ${id} not found`);
  if (r.kind === 'conflict') throw new HttpError(409, 'conflict', `retry entry ${id}: ${r.reason}`);
  res.json(r.entry satisfies EntryView);
}

export function createRetryAdminRouter(deps: RetryAdminDeps): (auth: AdminGuard) => Router {
  return (auth) => {
    const router = express.Router();
    const admin = auth.requireRole('admin');

    router.get(
      '/retries',
      admin,
      asyncRoute(async (req, res) => {
        const limit = intQuery(req, 'limit', DEFAULT_PAGE, 1, MAX_PAGE);
        const entries = await listEntries(deps.pool, {
          statuses: statusQuery(req),
          afterId: intQuery(req, 'afterId', 0, 0, Number.MAX_SAFE_INTEGER),
          limit,
          orderId: idQuery(req, 'orderId'),
          merchantId: idQuery(req, 'merchantId'),
        });
        const last = entries[entries.length - 1];
        if (entries.length === limit && last !== undefined) res.set('X-Next-After-Id', String(last.id));
        res.json(entries);
      }),
    );

    router.get(
      '/retries/:id',
      admin,
      asyncRoute(async (req, res) => {
        const id = entryId(req);
        const entry = await viewEntry(deps.pool, id);
        if (entry === undefined) throw new HttpError(404, 'not_found', `retry entry ${id} not found`);
        res.json({ ...entry, queue: await entriesBehind(deps.pool, entry.orderId, entry.queuePos, MAX_PAGE) });
      }),
    );

    router.post(
      '/retries/:id/replay',
      admin,
      jsonBody,
      asyncRoute(async (req, res) => {
        const id = entryId(req);
        requireObjectBody(req);
        sendResult(res, await replayEntry(deps, id), id);
      }),
    );

    router.post(
      '/retries/:id/discard',
      admin,
      jsonBody,
      asyncRoute(async (req, res) => {
        const id = entryId(req);
        requireObjectBody(req);
        sendResult(res, await discardEntry(deps, id), id);
      }),
    );
    return router;
  };
}

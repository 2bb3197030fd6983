// The menu of prep targets (contract "Kitchen workflows"): PUT one entry (manager, admin), GET the
// list (also kitchen and waiter: their pages show the short names). Mounted under /api.
import express, { type Router } from 'express';
import { inTx, type Pool } from '../db/pool';
import { merchantOf, type AuthMiddleware } from '../http/auth';
import { idParam } from '../http/params';
import { jsonBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { selectMenu, upsertMenuEntry, type MenuEntry } from './sql';

/** Body {prepSeconds: 0–7200, shortName?: 1–16 chars}. */
export function menuBody(dishId: string, body: unknown): MenuEntry {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'bad_request', 'body must be {"prepSeconds": 0-7200, "shortName"?: "…"}');
  const b = body as Record<string, unknown>;
  const prep = b.prepSeconds;
  if (typeof prep !== 'number' || !Number.isInteger(prep) || prep < 0 || prep > 7200) throw new HttpError(400, 'bad_request', 'prepSeconds must be an integer from 0 to 7200');
  const short = b.shortName;
  if (short !== undefined && short !== null && (typeof short !== 'string' || [...short].length < 1 || [...short].length > 16)) {
    throw new HttpError(400, 'bad_request', 'shortName must be 1-16 characters');
  }
  return { dishId, prepSeconds: prep, shortName: typeof short === 'string' ? short : null };
}

export function createMenuRouter(deps: { pool: Pool }): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();
    router.get(
      '/merchants/:merchantId/menu',
      auth.requireRole('manager', 'admin', 'kitchen', 'waiter'),
      asyncRoute(async (req, res) => {
        res.json(await selectMenu(deps.pool, merchantOf(req, res)));
      }),
    );
    router.put(
      '/merchants/:merchantId/menu/:dishId',
      auth.requireRole('manager', 'admin'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        const entry = menuBody(idParam(req, 'dishId'), req.body);
        await inTx(deps.pool, (conn) => upsertMenuEntry(conn, merchantId, entry, new Date()));
        res.json(entry);
      }),
    );
    return router;
  };
}

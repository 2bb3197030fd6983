// PUT /api/merchants/{id}/settings {timeZone} (contract "Running a service"), and GET for the
// dashboard. Managers of that merchant and admins.
import express, { type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Pool } from '../db/pool';
import { jsonBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { claimsOf, type AuthMiddleware } from '../http/app';
import { idParam } from '../http/params';
import { canonicalZone } from '../local-time/zone';
import { upsertZone } from './upsert-zone';
import { zoneOf, type MerchantZones } from './zones';

export interface SettingsDeps {
  pool: Pool;
  zones: MerchantZones;
}

export function createMerchantSettingsRouter(deps: SettingsDeps): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();
    const merchantOf = (req: express.Request, res: express.Response): string => {
      const merchantId = idParam(req, 'merchantId');
      if (!mayUseMerchant(claimsOf(res), merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
      return merchantId;
    };

    router.get(
      '/merchants/:merchantId/settings',
      auth.requireRole('manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        res.json({ merchantId, timeZone: await zoneOf(deps.zones, deps.pool, merchantId) });
      }),
    );

    router.put(
      '/merchants/:merchantId/settings',
      auth.requireRole('manager', 'admin'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        const body: unknown = req.body;
        const raw = typeof body === 'object' && body !== null ? (body as { timeZone?: unknown }).timeZone : undefined;
        if (typeof raw !== 'string') throw new HttpError(400, 'bad_request', 'body must be {"timeZone": "<IANA name>"}');
        const timeZone = canonicalZone(raw);
        if (timeZone === undefined) throw new HttpError(400, 'bad_request', `unknown time zone "${raw.slice(0, 64)}"`);
        await upsertZone(deps.pool, merchantId, timeZone, new Date());
        res.json({ merchantId, timeZone });
      }),
    );
    return router;
  };
}

// PUT /api/merchants/{id}/settings {timeZone?, language?} (contracts "Running a service" and
// "Screens in every kitchen"), and GET for the dashboard: managers of that merchant and admins.
// GET …/language: the default page language, for every screen of the merchant.
import express, { type Router } from 'express';
import type { Pool } from '../db/pool';
import { jsonBody } from '../http-kit/body';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { merchantOf, type AuthMiddleware } from '../http/app';
import { canonicalZone } from '../local-time/zone';
import { selectFireByPrepTime, upsertFireByPrepTime } from '../menu/sql';
import { PAGE_LANGUAGES, pageLanguage, selectLanguage, upsertLanguage } from './language';
import { upsertZone } from './upsert-zone';
import { zoneOf, type MerchantZones } from './zones';

export interface SettingsDeps {
  pool: Pool;
  zones: MerchantZones;
}

export function createMerchantSettingsRouter(deps: SettingsDeps): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();

    router.get(
      '/merchants/:merchantId/settings',
      auth.requireRole('manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        const fireByPrepTime = (await selectFireByPrepTime(deps.pool, [merchantId])).has(merchantId);
        res.json({
          merchantId, timeZone: await zoneOf(deps.zones, deps.pool, merchantId), fireByPrepTime,
          language: await selectLanguage(deps.pool, merchantId),
        });
      }),
    );

    router.put(
      '/merchants/:merchantId/settings',
      auth.requireRole('manager', 'admin'),
      jsonBody,
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        const body: unknown = req.body;
        const b = typeof body === 'object' && body !== null
          ? (body as { timeZone?: unknown; fireByPrepTime?: unknown; language?: unknown }) : {};
        const raw = b.timeZone;
        const fire = b.fireByPrepTime;
        if ((raw !== undefined && typeof raw !== 'string') || (fire !== undefined && typeof fire !== 'boolean')
          || (raw === undefined && fire === undefined && b.language === undefined)) {
          throw new HttpError(400, 'bad_request',
            'body must be {"timeZone"?: "<IANA name>", "fireByPrepTime"?: true|false, "language"?: "zh-CN"|"en"} with at least one');
        }
        let timeZone: string | undefined;
        if (typeof raw === 'string') {
          timeZone = canonicalZone(raw);
          if (timeZone === undefined) throw new HttpError(400, 'bad_request', `unknown time zone "${raw.slice(0, 64)}"`);
        }
        const language = b.language === undefined ? undefined : pageLanguage(b.language);
        if (b.language !== undefined && language === undefined) {
          throw new HttpError(400, 'bad_request', `language must be one the pages have: ${PAGE_LANGUAGES.join(', ')}`);
        }
        const at = new Date();
        if (timeZone !== undefined) await upsertZone(deps.pool, merchantId, timeZone, at);
        if (typeof fire === 'boolean') await upsertFireByPrepTime(deps.pool, merchantId, fire, at);
        if (language !== undefined) await upsertLanguage(deps.pool, merchantId, language, at);
        res.json({
          merchantId,
          timeZone: timeZone ?? (await zoneOf(deps.zones, deps.pool, merchantId)),
          fireByPrepTime: (await selectFireByPrepTime(deps.pool, [merchantId])).has(merchantId),
          language: language ?? (await selectLanguage(deps.pool, merchantId)),
        });
      }),
    );

    // every screen of the merchant reads the default language its pages start in
    router.get(
      '/merchants/:merchantId/language',
      auth.requireRole('kitchen', 'waiter', 'manager', 'board', 'guest', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = merchantOf(req, res);
        res.json({ merchantId, language: await selectLanguage(deps.pool, merchantId) });
      }),
    );
    return router;
  };
}

// The managers' figures (contract: GET /api/merchants/{id}/stats?date=), plus what the dashboard
// needs beyond it (docs/dashboard.md): daily figures for a range (JSON or CSV) and the live state of
// the open tickets. Managers of that merchant and admins.
import express, { type Request, type Response, type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Pool } from '../db/pool';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { claimsOf, type AuthMiddleware } from '../http/app';
import { idParam } from '../http/params';
import { addDays, isLocalDate, localDate } from '../local-time/zone';
import { PAGE_LANGUAGES, pageLanguage, type PageLanguage } from '../merchant-settings/language';
import { zoneOf, type MerchantZones } from '../merchant-settings/zones';
import { dailyCsv } from './csv';
import { readDaily, readDayStats } from './read';
import { selectLateDishes, selectOpenByStation } from './sql/select-open';

export interface StatsRouteDeps {
  pool: Pool;
  zones: MerchantZones;
  lateAfterS: number;
  boardDays: number;
  clock?: () => Date;
}

/** A CSV or JSON range covers at most this many days (the aggregates are kept at least 400). */
export const MAX_RANGE_DAYS = 400;

function dateQuery(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !isLocalDate(v)) throw new HttpError(400, 'bad_request', `${name} must be a date YYYY-MM-DD`);
  return v;
}

/** `?lang=` of the CSV: its header's language (src/stats/csv.ts); `en` when absent. */
function langQuery(req: Request): PageLanguage {
  const v = req.query.lang;
  if (v === undefined || v === '') return 'en';
  const lang = pageLanguage(v);
  if (lang === undefined) throw new HttpError(400, 'bad_request', `lang must be one of ${PAGE_LANGUAGES.join(', ')}`);
  return lang;
}

export function createStatsRouter(deps: StatsRouteDeps): (auth: AuthMiddleware) => Router {
  const now = deps.clock ?? (() => new Date());
  return (auth) => {
    const router = express.Router();
    const who = auth.requireRole('manager', 'admin');

    async function merchantAndZone(req: Request, res: Response): Promise<{ merchantId: string; zone: string }> {
      const merchantId = idParam(req, 'merchantId');
      if (!mayUseMerchant(claimsOf(res), merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
      return { merchantId, zone: await zoneOf(deps.zones, deps.pool, merchantId) };
    }

    function range(req: Request, zone: string): { from: string; to: string } {
      const to = dateQuery(req, 'to') ?? localDate(now(), zone);
      const from = dateQuery(req, 'from') ?? addDays(to, -29);
      if (from > to) throw new HttpError(400, 'bad_request', 'from must not be after to');
      if (addDays(from, MAX_RANGE_DAYS - 1) < to) throw new HttpError(400, 'bad_request', `a range covers at most ${MAX_RANGE_DAYS} days`);
      return { from, to };
    }

    router.get('/merchants/:merchantId/stats', who, asyncRoute(async (req, res) => {
      const { merchantId, zone } = await merchantAndZone(req, res);
      const date = dateQuery(req, 'date') ?? localDate(now(), zone);
      res.json(await readDayStats(deps.pool, merchantId, date, zone));
    }));

    router.get('/merchants/:merchantId/stats/daily', who, asyncRoute(async (req, res) => {
      const { merchantId, zone } = await merchantAndZone(req, res);
      const { from, to } = range(req, zone);
      res.json({ merchantId, timeZone: zone, from, to, days: await readDaily(deps.pool, merchantId, from, to) });
    }));

    router.get('/merchants/:merchantId/stats/daily.csv', who, asyncRoute(async (req, res) => {
      const { merchantId, zone } = await merchantAndZone(req, res);
      const { from, to } = range(req, zone);
      const lang = langQuery(req);
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="kds-${merchantId}-${from}-${to}.csv"`);
      res.send(dailyCsv(await readDaily(deps.pool, merchantId, from, to), lang));
    }));

    router.get('/merchants/:merchantId/stats/live', who, asyncRoute(async (req, res) => {
      const { merchantId, zone } = await merchantAndZone(req, res);
      const at = now();
      const lateBefore = new Date(at.getTime() - deps.lateAfterS * 1000);
      const [stations, late] = await Promise.all([
        selectOpenByStation(deps.pool, merchantId, deps.boardDays, lateBefore),
        selectLateDishes(deps.pool, merchantId, deps.boardDays, lateBefore, 20),
      ]);
      res.json({
        merchantId, timeZone: zone, today: localDate(at, zone), serverTime: at.toISOString(), lateAfterS: deps.lateAfterS,
        stations: stations.map((s) => ({ ...s, oldestWaitingAt: s.oldestWaitingAt === null ? null : new Date(s.oldestWaitingAt).toISOString() })),
        lateDishes: late.map((d) => ({ ...d, placedAt: new Date(d.placedAt).toISOString() })),
      });
    }));
    return router;
  };
}

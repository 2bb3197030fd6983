// The dead-letter API of the on-call console (contract "Operating it", admin only). Mounted under
// /api by src/http/app.ts through its `routers` dependency, like the retry table's API.
//
//   GET  /api/dead-letters?limit=&before=&status=   newest first; KEPT unless status=DISCARDED;
//        a full page carries `X-Next-Before: <id>` (pass it as before)
//   POST /api/dead-letters/{id}/replay   {outcome, reason?, detail?, deadLetter}
//   POST /api/dead-letters/{id}/discard  the dead letter, now DISCARDED (repeating is harmless)
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Pool } from '../db/pool';
import { describeError, errorKind } from '../errors';
import { asyncRoute, badRequest, HttpError } from '../http-kit/errors';
import type { Logger } from '../log';
import type { RecordReplayer } from '../pipeline/replay';
import { DEAD_LETTER_STATUSES, discardDeadLetter, getDeadLetter, listDeadLetters, recordOf, recordReplay, type DeadLetterStatus } from './sql';
import { deadLetterView, type DeadLetterView } from './views';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** What these routes need of the HTTP feature's auth (src/http/auth.ts implements it). */
export interface AdminGuard {
  requireRole(role: 'admin'): RequestHandler;
}

export interface DeadLetterDeps {
  pool: Pool;
  /** The pipeline's replayer: the consumer's own path (src/pipeline/replay.ts). */
  replay: RecordReplayer;
  log: Logger;
}

export interface ReplayAnswer {
  outcome: 'applied' | 'duplicate' | 'parked' | 'dead_lettered';
  reason?: string;
  detail?: string;
  deadLetter: DeadLetterView;
}

function idParam(req: Request): number {
  const raw = req.params.id ?? '';
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) throw badRequest('id must be a positive whole number');
  return Number(raw);
}

function wholeQuery(req: Request, name: string, min: number, max: number): number | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[0-9]{1,15}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw badRequest(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

function statusQuery(req: Request): DeadLetterStatus {
  const v = req.query.status;
  if (v === undefined || v === '') return 'KEPT';
  const s = typeof v === 'string' ? v.toUpperCase() : '';
  if (!(DEAD_LETTER_STATUSES as readonly string[]).includes(s)) throw badRequest(`status must be ${DEAD_LETTER_STATUSES.join(' or ')}`);
  return s as DeadLetterStatus;
}

const notFound = (id: number): HttpError => new HttpError(404, 'not_found', `dead letter ${id} not found`);

export async function replayDeadLetter(deps: DeadLetterDeps, id: number): Promise<ReplayAnswer | undefined> {
  const row = await getDeadLetter(deps.pool, id);
  if (row === undefined) return undefined;
  const result = await deps.replay(recordOf(row));
  await recordReplay(deps.pool, id, result.outcome);
  deps.log.info('dead letter replayed', { id, outcome: result.outcome });
  const after = await getDeadLetter(deps.pool, id);
  if (after === undefined) return undefined;
  const failed = result.outcome === 'dead_lettered' ? { reason: result.reason, detail: result.detail } : {};
  return { outcome: result.outcome, ...failed, deadLetter: deadLetterView(after) };
}

export function createDeadLetterRouter(deps: DeadLetterDeps): (auth: AdminGuard) => Router {
  return (auth) => {
    const router = express.Router();
    const admin = auth.requireRole('admin');

    router.get('/dead-letters', admin, asyncRoute(async (req, res) => {
      const limit = wholeQuery(req, 'limit', 1, MAX_PAGE) ?? DEFAULT_PAGE;
      const rows = await listDeadLetters(deps.pool, statusQuery(req), wholeQuery(req, 'before', 1, Number.MAX_SAFE_INTEGER), limit);
      const last = rows[rows.length - 1];
      if (rows.length === limit && last !== undefined) res.set('X-Next-Before', String(last.id));
      res.json(rows.map(deadLetterView));
    }));

    router.post('/dead-letters/:id/replay', admin, asyncRoute(async (req, res) => {
      const id = idParam(req);
      let answer: ReplayAnswer | undefined;
      try {
        answer = await replayDeadLetter(deps, id);
      } catch (err) {
        if (errorKind(err) !== 'infrastructure') throw err;
        // nothing was changed: the database (or Kafka's side of it) is away; the operator tries again
        res.set('Retry-After', '5');
        throw new HttpError(503, 'unavailable', `not replayed, try again: ${describeError(err)}`);
      }
      if (answer === undefined) throw notFound(id);
      res.json(answer);
    }));

    router.post('/dead-letters/:id/discard', admin, asyncRoute(async (req, res) => {
      const id = idParam(req);
      if (!(await discardDeadLetter(deps.pool, id))) throw notFound(id);
      const row = await getDeadLetter(deps.pool, id);
      if (row === undefined) throw notFound(id);
      res.json(deadLetterView(row));
    }));
    return router;
  };
}

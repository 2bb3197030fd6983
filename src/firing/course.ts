import type { Request } from 'express';
import { HttpError } from '../http-kit/errors';

/** Optional ?course= (1–9); empty means every course. */
export function courseQuery(req: Request): number | undefined {
  const v = req.query.course;
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^[1-9]$/.test(v)) throw new HttpError(400, 'bad_request', 'course must be one integer from 1 to 9');
  return Number(v);
}

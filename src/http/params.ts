// Validation of path and query input; failures are 400s with a message naming the input. Bodies:
// src/http-kit/body.ts.
import type { Request } from 'express';
import { ID_PATTERN } from '../auth/token';
import { HttpError } from '../http-kit/errors';

export function idParam(req: Request, name: string): string {
  const v = req.params[name];
  if (v === undefined || !ID_PATTERN.test(v)) {
    throw new HttpError(400, 'bad_request', `${name} must be 1-64 characters of [A-Za-z0-9_-]`);
  }
  return v;
}

// stations are kitchen labels ("grill", "Cold kitchen"): printable text, bounded like the column
const STATION = /^[^\p{Cc}]{1,64}$/u;

/** Optional single-valued ?station=; an empty value means "all stations". */
export function stationQuery(req: Request): string | undefined {
  const v = req.query.station;
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !STATION.test(v)) {
    throw new HttpError(400, 'bad_request', 'station must be one value of 1-64 printable characters');
  }
  return v;
}

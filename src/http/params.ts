// Validation of path, query and body input; failures are 400s with a message naming the input.
import express, { type Request } from 'express';
import { ID_PATTERN } from '../auth/token';
import { HttpError } from './errors';

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

/** Marks take no input; a body, if sent, must be a JSON object (its fields are ignored). */
export function requireObjectBody(req: Request): void {
  const b: unknown = req.body;
  if (b === undefined) return;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw new HttpError(400, 'bad_request', 'body must be empty or a JSON object');
  }
}

// Every /api body is JSON, whatever its Content-Type says: a wrong type is a 400, not a silently
// ignored body. Marks carry no input, so anything large is abuse (413). Used after the token
// check, so a request without a token is a 401 whatever its body.
export const jsonBody = express.json({ limit: '16kb', type: () => true });

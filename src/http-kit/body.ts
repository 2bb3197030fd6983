// Request bodies of /api routes: parsed as JSON with a size limit, and checked. The parser's
// failures (malformed JSON: 400 bad_json, too large: 413 payload_too_large) become JSON answers
// in the app's error handler (src/http/errors.ts).
import express, { type Request } from 'express';
import { badRequest } from './errors';

// Every /api body is JSON, whatever its Content-Type says: a wrong type is a 400, not a silently
// ignored body. Marks and operator actions carry no input, so anything large is abuse (413).
// Mount it after the token check, so a request without a token is a 401 whatever its body.
export const jsonBody = express.json({ limit: '16kb', type: () => true });

/** For routes that take no input: a body, if sent, must be a JSON object (its fields are ignored). */
export function requireObjectBody(req: Request): void {
  const b: unknown = req.body;
  if (b === undefined) return;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw badRequest('body must be empty or a JSON object');
  }
}

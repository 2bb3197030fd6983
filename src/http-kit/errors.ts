// The JSON error answers every feature's routes give (contract: {"error": "<code>", "message":
// "<text>"}), and the wrapper that hands a rejected handler to the error handler. Shared by the
// HTTP feature (src/http/) and the routers other features mount through it (e.g. src/retry/), so
// those need nothing from src/http/'s internals.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { describeError, errorKind } from '../errors';

/** Thrown by a route: the error handler answers `status` with {"error": code, "message"}. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'bad_request', message);
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: code, message });
}

/**
 * What a client is told to wait before trying again when KDS cannot answer now. A MariaDB restart
 * or failover takes seconds, not minutes, and screens retry on their own; a short hint keeps a
 * kitchen's taps from piling onto a database that is coming back.
 */
export const RETRY_AFTER_S = 5;

export interface KindAnswer {
  status: number;
  code: string;
  message: string;
  /** Sent as Retry-After (seconds). */
  retryAfterS?: number;
}

/**
 * The one mapping from an error's kind (src/errors.ts) to an HTTP answer, so a route never decides
 * it: infrastructure (the database unreachable, overloaded, a deadlock that persisted) and
 * retriable (a dependency's "later") → 503 with Retry-After, the request itself is fine;
 * permanent (the data can never be stored as sent) → 422; a bug → undefined: the handler answers
 * 500 and logs it. An outage's answer names no driver detail: the client can do nothing with it.
 */
export function answerOfKind(err: unknown): KindAnswer | undefined {
  switch (errorKind(err)) {
    case 'infrastructure':
      return { status: 503, code: 'unavailable', message: 'temporarily unavailable; retry later', retryAfterS: RETRY_AFTER_S };
    case 'retriable':
      return { status: 503, code: 'unavailable', message: `temporarily unavailable (${describeError(err)}); retry later`, retryAfterS: RETRY_AFTER_S };
    case 'permanent':
      return { status: 422, code: 'unprocessable', message: describeError(err) };
    case 'bug':
      return undefined;
  }
}

/** Express 4 does not catch rejected promises; this hands them to the error handler. */
export function asyncRoute(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
}

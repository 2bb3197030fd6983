// The JSON error answers every feature's routes give (contract: {"error": "<code>", "message":
// "<text>"}), and the wrapper that hands a rejected handler to the error handler. Shared by the
// HTTP feature (src/http/) and the routers other features mount through it (e.g. src/retry/), so
// those need nothing from src/http/'s internals.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

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

/** Express 4 does not catch rejected promises; this hands them to the error handler. */
export function asyncRoute(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
}

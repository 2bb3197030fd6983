// Every error leaves as JSON {"error": "<code>", "message": "<text>"} (contract), whether a route
// decided it (HttpError, src/http-kit/), a body parser rejected the request, or a handler threw:
// a thrown error is answered by its kind (`answerOfKind`: an outage is 503 with Retry-After, never
// a 500), and only a bug is a 500.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { answerOfKind, HttpError, sendError } from '../http-kit/errors';
import type { Logger } from '../log';

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}`);
};

// body-parser and express mark client errors with `status` and `type`
const CLIENT_CODES: Record<string, string> = {
  'entity.too.large': 'payload_too_large',
  'entity.parse.failed': 'bad_json',
  'charset.unsupported': 'unsupported_charset',
  'encoding.unsupported': 'unsupported_encoding',
};

function clientStatus(err: unknown): { status: number; type: string | undefined } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, type } = err as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return { status, type: typeof type === 'string' ? type : undefined };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof HttpError) {
      sendError(res, err.status, err.code, err.message);
      return;
    }
    const client = clientStatus(err);
    if (client !== undefined) {
      const code = (client.type !== undefined ? CLIENT_CODES[client.type] : undefined) ?? 'bad_request';
      sendError(res, client.status, code, err instanceof Error ? err.message : 'bad request');
      return;
    }
    const byKind = answerOfKind(err);
    if (byKind !== undefined) {
      if (byKind.status >= 500) log.warn('request not served', { method: req.method, path: req.path, err });
      if (byKind.retryAfterS !== undefined) res.set('Retry-After', String(byKind.retryAfterS));
      sendError(res, byKind.status, byKind.code, byKind.message);
      return;
    }
    log.error('request failed', { method: req.method, path: req.path, err });
    sendError(res, 500, 'internal', 'internal error; it has been logged');
  };
}

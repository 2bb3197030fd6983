// The 429 answer of the request limits (src/limits/): JSON error plus Retry-After.
import type { Response } from 'express';
import { sendError } from '../http-kit/errors';
import { retryAfterSeconds } from '../limits/limits';

/** 429 with Retry-After (whole seconds): the caller may try again after that. */
export function sendRateLimited(res: Response, retryAfterMs: number, message: string): void {
  const seconds = retryAfterSeconds(retryAfterMs);
  res.set('Retry-After', String(seconds));
  sendError(res, 429, 'rate_limited', `${message}; retry after ${seconds} s`);
}

// Bearer-token middleware. Exported for other features' routers (e.g. the retries admin API):
//   router.get('/retries', auth.requireRole('admin'), handler)
// After the token checks out, the call is counted against the token's own limit (limits.ts).
import type { Request, RequestHandler, Response } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Claims, Role } from '../auth/token';
import { REFUSAL_MESSAGES } from '../auth/token';
import type { TokenAuth } from '../auth/token-auth';
import { bearerToken } from '../auth/bearer';
import type { KeyedLimiter } from '../limits/keyed-limiter';
import { tokenLimitKey } from '../limits/limits';
import { HttpError, sendError } from '../http-kit/errors';
import { idParam } from './params';
import { sendRateLimited } from './rate-limited';

export interface AuthMiddleware {
  /** 401 without a valid token, 403 when its role is not one of `roles`, 429 over the token's limit. */
  requireRole(...roles: Role[]): RequestHandler;
}

const CLAIMS = Symbol('kds.claims');

/** The verified claims of the request; only valid after requireRole ran. */
export function claimsOf(res: Response): Claims {
  const c = (res.locals as Record<symbol, Claims | undefined>)[CLAIMS];
  if (c === undefined) throw new Error('claimsOf called on a route without requireRole');
  return c;
}

/** The route's `:merchantId`, once the caller's token may use that merchant (403 otherwise). */
export function merchantOf(req: Request, res: Response): string {
  const merchantId = idParam(req, 'merchantId');
  if (!mayUseMerchant(claimsOf(res), merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
  return merchantId;
}

export function createAuth(auth: TokenAuth, perToken?: KeyedLimiter, now: () => number = Date.now): AuthMiddleware {
  return {
    requireRole(...roles) {
      return (req, res, next) => {
        const token = bearerToken(req.get('authorization'));
        if (token === undefined) {
          res.set('WWW-Authenticate', 'Bearer');
          sendError(res, 401, 'unauthorized', 'Authorization: Bearer <token> required');
          return;
        }
        const v = auth.verify(token, now());
        if (!v.ok) {
          res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
          sendError(res, 401, 'unauthorized', REFUSAL_MESSAGES[v.reason]);
          return;
        }
        const taken = perToken?.take(tokenLimitKey(v.claims, token));
        if (taken !== undefined && !taken.ok) {
          sendRateLimited(res, taken.retryAfterMs, 'too many calls with this token');
          return;
        }
        if (!roles.includes(v.claims.role)) {
          sendError(res, 403, 'forbidden', `role ${v.claims.role} may not do this (needs ${roles.join(' or ')})`);
          return;
        }
        (res.locals as Record<symbol, Claims>)[CLAIMS] = v.claims;
        next();
      };
    },
  };
}

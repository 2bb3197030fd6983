// Bearer-token middleware. Exported for other features' routers (e.g. the retries admin API):
//   router.get('/retries', auth.requireRole('admin'), handler)
import type { RequestHandler, Response } from 'express';
import type { Claims, Role } from '../auth/token';
import { verifyToken } from '../auth/token';
import { bearerToken } from '../auth/bearer';
import { sendError } from '../http-kit/errors';

export interface AuthMiddleware {
  /** 401 without a valid token, 403 when its role is not one of `roles`; else claimsOf(res) works. */
  requireRole(...roles: Role[]): RequestHandler;
}

const CLAIMS = Symbol('kds.claims');

/** The verified claims of the request; only valid after requireRole ran. */
export function claimsOf(res: Response): Claims {
  const c = (res.locals as Record<symbol, Claims | undefined>)[CLAIMS];
  if (c === undefined) throw new Error('claimsOf called on a route without requireRole');
  return c;
}

const REASONS = {
  malformed: 'malformed token',
  signature: 'bad token signature',
  expired: 'token expired',
  claims: 'token claims are invalid',
} as const;

export function createAuth(secret: string, now: () => number = Date.now): AuthMiddleware {
  return {
    requireRole(...roles) {
      return (req, res, next) => {
        const token = bearerToken(req.get('authorization'));
        if (token === undefined) {
          res.set('WWW-Authenticate', 'Bearer');
          sendError(res, 401, 'unauthorized', 'Authorization: Bearer <token> required');
          return;
        }
        const v = verifyToken(token, secret, now());
        if (!v.ok) {
          res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
          sendError(res, 401, 'unauthorized', REASONS[v.reason]);
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

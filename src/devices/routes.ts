// Device management (contract "Running a service" -> Calls), mounted under /api:
//   GET    /api/merchants/{merchantId}/devices  → [device…], newest first (manager of it, admin)
//   DELETE /api/devices/{deviceId}              → the device, now revoked; repeating it is harmless
// From the revocation on, the device's calls get 401 and its sockets are closed (every instance
// polls the revoked set; this one applies it at once).
import express, { type Router } from 'express';
import { mayUseMerchant } from '../auth/access';
import type { Pool } from '../db/pool';
import type { AuthMiddleware } from '../http/auth';
import { claimsOf } from '../http/auth';
import { asyncRoute, HttpError } from '../http-kit/errors';
import { idParam } from '../http/params';
import { revokeDevice } from './revoke-device';
import { selectDevice, selectMerchantDevices } from './select-devices';
import { deviceView } from './views';

export interface DeviceRoutesDeps {
  pool: Pool;
  /** Applies a revocation on this instance at once (the others see it at their next poll). */
  revokedHere(deviceId: string): void;
}

const LIST_LIMIT = 1000;

export function createDeviceRouter(deps: DeviceRoutesDeps): (auth: AuthMiddleware) => Router {
  return (auth) => {
    const router = express.Router();
    router.get(
      '/merchants/:merchantId/devices',
      auth.requireRole('manager', 'admin'),
      asyncRoute(async (req, res) => {
        const merchantId = idParam(req, 'merchantId');
        if (!mayUseMerchant(claimsOf(res), merchantId)) throw new HttpError(403, 'forbidden', 'token of another merchant');
        const rows = await selectMerchantDevices(deps.pool, merchantId, LIST_LIMIT);
        res.json(rows.map(deviceView));
      }),
    );
    router.delete(
      '/devices/:deviceId',
      auth.requireRole('manager', 'admin'),
      asyncRoute(async (req, res) => {
        const deviceId = idParam(req, 'deviceId');
        const claims = claimsOf(res);
        const before = await selectDevice(deps.pool, deviceId);
        if (before === undefined) throw new HttpError(404, 'not_found', `device ${deviceId} not found`);
        if (!mayUseMerchant(claims, before.merchant_id)) throw new HttpError(403, 'forbidden', 'device of another merchant');
        await revokeDevice(deps.pool, deviceId);
        deps.revokedHere(deviceId);
        const after = await selectDevice(deps.pool, deviceId);
        res.json(deviceView(after ?? before));
      }),
    );
    return router;
  };
}

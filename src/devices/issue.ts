// Pairing a device: record it, then sign its token (`npm run token -- … --device "Wok screen"`).
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { DEVICE_DEFAULT_TTL_SECONDS, signToken, tokenRequestProblem, type Role, type TokenKey } from '../auth/token';
import { insertDevice } from './insert-device';

// a label staff can read in the manager's list: printable, bounded like the column
const DEVICE_NAME = /^[^\p{Cc}]{1,100}$/u;

export interface DeviceRequest {
  merchantId: string;
  role: Role;
  name: string;
  ttlSeconds?: number;
}

export interface IssuedDevice {
  deviceId: string;
  token: string;
  expiresAt: Date;
}

export function deviceRequestProblem(req: DeviceRequest): string | undefined {
  if (!DEVICE_NAME.test(req.name.trim())) return 'device name must be 1-100 printable characters';
  // the id is only known once generated; any valid id gives the same answer
  return tokenRequestProblem({ role: req.role, merchantId: req.merchantId, deviceId: 'd', ttlSeconds: req.ttlSeconds });
}

/** 96 random bits: ids cannot be guessed, and revoking one by mistake would need it in hand. */
export function newDeviceId(): string {
  return `dev_${randomBytes(12).toString('base64url')}`;
}

export async function issueDeviceToken(db: Connection, key: TokenKey, req: DeviceRequest, nowMs = Date.now()): Promise<IssuedDevice> {
  const problem = deviceRequestProblem(req);
  if (problem !== undefined) throw new Error(problem);
  const deviceId = newDeviceId();
  const ttl = req.ttlSeconds ?? DEVICE_DEFAULT_TTL_SECONDS;
  const issuedS = Math.floor(nowMs / 1000);
  const token = signToken({ role: req.role, merchantId: req.merchantId, deviceId, ttlSeconds: ttl }, key, issuedS * 1000);
  const expiresAt = new Date((issuedS + ttl) * 1000);
  await insertDevice(db, {
    deviceId, merchantId: req.merchantId, role: req.role, name: req.name.trim(),
    issuedAt: new Date(issuedS * 1000), expiresAt,
  });
  return { deviceId, token, expiresAt };
}

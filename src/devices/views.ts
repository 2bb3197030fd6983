// A device as the manager's API shows it.
export interface DeviceRow {
  device_id: string;
  merchant_id: string;
  role: string;
  name: string;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_seen: Date | null;
}

export interface DeviceView {
  deviceId: string;
  merchantId: string;
  role: string;
  name: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastSeen: string | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

export function deviceView(r: DeviceRow): DeviceView {
  return {
    deviceId: r.device_id,
    merchantId: r.merchant_id,
    role: r.role,
    name: r.name,
    issuedAt: new Date(r.issued_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    revokedAt: iso(r.revoked_at),
    lastSeen: iso(r.last_seen),
  };
}

export const DEVICE_COLUMNS = 'device_id, merchant_id, role, name, issued_at, expires_at, revoked_at, last_seen';

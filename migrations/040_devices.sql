-- Device tokens (contract "Running a service" -> Roles): a paired kitchen tablet, waiter phone,
-- pickup board or manager device. The token itself is never stored: only what names it (the id
-- it carries), so the merchant's manager can list and revoke devices. Every instance polls
-- revoked_at (src/devices/revocations.ts); devices_revoked keeps that poll on an index.
CREATE TABLE devices (
  device_id    VARCHAR(64)  NOT NULL,
  merchant_id  VARCHAR(64)  NOT NULL,
  role         VARCHAR(16)  NOT NULL,
  name         VARCHAR(100) NOT NULL,
  issued_at    DATETIME(3)  NOT NULL,
  expires_at   DATETIME(3)  NOT NULL,
  revoked_at   DATETIME(3)  NULL,
  last_seen    DATETIME(3)  NULL,
  PRIMARY KEY (device_id),
  KEY devices_merchant (merchant_id, issued_at),
  KEY devices_revoked (revoked_at, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

// The one token check of the service, shared by the HTTP API and the WebSocket hub: signature,
// environment, lifetime and expiry (token.ts), then revocation of device tokens.
import { verifyToken, type TokenKey, type Verified } from './token';

/** What the check needs from the device registry (src/devices/revocations.ts implements it). */
export interface RevocationCheck {
  isRevoked(deviceId: string): boolean;
  /** A device token was used: its last_seen is updated (batched). */
  seen(deviceId: string): void;
  /** Called with device ids as soon as this instance learns they were revoked. */
  onRevoked(listener: (deviceIds: readonly string[]) => void): () => void;
}

export interface TokenAuth {
  readonly env: string;
  verify(token: string, nowMs?: number): Verified;
  /** See RevocationCheck.onRevoked: the hub closes the sockets of revoked devices. */
  onRevoked(listener: (deviceIds: readonly string[]) => void): () => void;
}

/** For servers without a device registry (tests of other features): nothing is ever revoked. */
export const NO_REVOCATIONS: RevocationCheck = {
  isRevoked: () => false,
  seen: () => undefined,
  onRevoked: () => () => undefined,
};

export function createTokenAuth(key: TokenKey, revocations: RevocationCheck = NO_REVOCATIONS): TokenAuth {
  return {
    env: key.env,
    verify(token, nowMs = Date.now()) {
      const v = verifyToken(token, key, nowMs);
      if (!v.ok) return v;
      const deviceId = v.claims.deviceId;
      if (deviceId !== undefined) {
        if (revocations.isRevoked(deviceId)) return { ok: false, reason: 'revoked' };
        revocations.seen(deviceId);
      }
      return v;
    },
    onRevoked: (listener) => revocations.onRevoked(listener),
  };
}

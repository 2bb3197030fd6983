// How many WebSockets one holder may keep open, across all instances (contract, WebSocket: one
// token, or for device tokens one device, at most 20), and per client address (configurable:
// LIMIT_WS_ADDRESS_OPEN, docs/screens.md). Counted by src/presence/ under these keys.
import { createHash } from 'node:crypto';
import { addressKey } from '../limits/keyed-limiter';
import type { Claim } from '../presence/presence';

/** The contract's number. */
export const MAX_SOCKETS_PER_TOKEN = 20;
/** A restaurant's screens and its guests' phones often share one NAT address. */
export const DEFAULT_MAX_SOCKETS_PER_ADDRESS = 500;

export interface SocketCaps {
  perToken: number;
  perAddress: number;
}

export const DEFAULT_SOCKET_CAPS: SocketCaps = Object.freeze({
  perToken: MAX_SOCKETS_PER_TOKEN,
  perAddress: DEFAULT_MAX_SOCKETS_PER_ADDRESS,
});

/**
 * `limitKey` is the connect limiter's key (src/limits/limits.ts tokenLimitKey): `dev:<id>` is kept
 * (operators may read it), a token's signature is hashed before it is stored in the database.
 */
export function socketClaims(limitKey: string, remoteAddress: string | undefined, caps: SocketCaps): Claim[] {
  const holder = limitKey.startsWith('dev:')
    ? limitKey
    : `tok:${createHash('sha256').update(limitKey).digest('base64url').slice(0, 32)}`;
  return [
    { key: holder, cap: caps.perToken },
    { key: `addr:${addressKey(remoteAddress)}`, cap: caps.perAddress },
  ];
}

// What screens may send: only {"type":"ping"} (a heartbeat browsers can see; WebSocket ping
// frames are invisible to page scripts). Anything else is answered with an error frame.
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

export type ClientMessage = { kind: 'ping' } | { kind: 'bad'; reason: string };

export function parseClientMessage(data: Buffer, isBinary: boolean): ClientMessage {
  if (isBinary) return { kind: 'bad', reason: 'binary frames are not accepted' };
  if (data.length > MAX_CLIENT_MESSAGE_BYTES) {
    return { kind: 'bad', reason: `messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes` };
  }
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch {
    return { kind: 'bad', reason: 'not JSON' };
  }
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'ping') return { kind: 'ping' };
  return { kind: 'bad', reason: 'only {"type":"ping"} is accepted' };
}

/** ws hands over a Buffer, an ArrayBuffer or fragments depending on binaryType. */
export function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

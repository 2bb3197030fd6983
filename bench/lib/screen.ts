// A kitchen screen as the benchmarks open it: a WebSocket with its token, timed to the upgrade and
// to the snapshot. Imports nothing of the benchmark's stack, so a worker thread can load it.
import WebSocket from 'ws';

export interface Screen {
  ws: WebSocket;
  /** ms from opening to the snapshot frame */
  snapshotMs: number;
  /** ms from opening to the upgrade's answer (TCP, the token check, the socket caps' admission) */
  upgradeMs: number;
  /** the close code, once closed by the server */
  closedWith?: number;
}

/** A screen on the token's socket; resolves on its snapshot. `onOrder` gets every order frame. */
export function openScreenWith(port: number, token: string, onOrder: (orderId: string, version: number) => void): Promise<Screen> {
  const t0 = performance.now();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
  return new Promise<Screen>((resolve, reject) => {
    const screen: Screen = { ws, snapshotMs: NaN, upgradeMs: NaN };
    ws.once('open', () => {
      screen.upgradeMs = performance.now() - t0;
    });
    ws.once('error', reject);
    ws.once('close', (code) => {
      screen.closedWith = code;
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const text = (data as Buffer).toString('utf8');
      if (text.startsWith('{"type":"order"')) {
        const msg = JSON.parse(text) as { order: { orderId: string; version: number } };
        onOrder(msg.order.orderId, msg.order.version);
      } else if (text.startsWith('{"type":"snapshot"')) {
        screen.snapshotMs = performance.now() - t0;
        resolve(screen);
      }
    });
  });
}

// A TCP proxy a test owns, in front of a shared server (MariaDB on 3306): the test makes the
// server unreachable for whatever talks through the proxy, and only for that, by cutting it; the
// server itself and every other test file using it are never touched. Listens on a free port.
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Drops every open connection and every new one at once (a reset), until `restore`. */
  cut(): void;
  restore(): void;
  /** Connections refused since the last cut. */
  refused(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let isCut = false;
  let refused = 0;
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (isCut) {
      refused += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      isCut = true;
      refused = 0;
      for (const s of open) s.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    refused: () => refused,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

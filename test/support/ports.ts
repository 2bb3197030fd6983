// Ports for the servers tests and benchmarks start themselves (own ZooKeeper, Kafka, MariaDB).
import net from 'node:net';

/**
 * Ports for the servers tests start, stop and kill are picked below Linux's ephemeral range
 * (ip_local_port_range, 32768–60999 by default), never from it (`listen(0)` picks from it). While
 * such a server is down, its clients keep reconnecting, and an outgoing connection whose kernel-
 * chosen local port equals the port it dials connects to itself (TCP self-connect) or holds the
 * port: the server then cannot come back on it. Once in CI the fault suite's ZooKeeper, SIGKILLed
 * for 10 s, never answered again; this is the likeliest cause found (not reproduced in four runs).
 */
const PORTS = { from: 20_000, to: 32_000 };

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port in ${PORTS.from}–${PORTS.to} after 100 tries`);
}

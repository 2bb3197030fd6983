// MySQL/MariaDB is not ours to run: the machine (or the developer) provides it. infra:up checks it
// answers and, on a machine with Debian's MariaDB installed but stopped, starts that daemon.
import { existsSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { InfraError, logMark, run, waitReady } from './proc';
import type { InfraSettings } from './settings';
import type { Component, ComponentState } from './types';

const MARIADBD = '/usr/sbin/mariadbd';
const START_CMD = `start-stop-daemon --start --oknodo --background --exec ${MARIADBD}`;
const HINT =
  `MySQL/MariaDB is needed at MYSQL_URL: start MariaDB with \`${START_CMD}\` ` +
  '(install it with `apt-get install -y mariadb-server`), or point MYSQL_URL at a MySQL 8 server';

function serverUri(s: InfraSettings): URL {
  const u = new URL(s.mysqlUrl);
  u.pathname = '/';
  return u;
}

/** The server's version string, or undefined when it does not answer. */
async function serverVersion(s: InfraSettings): Promise<string | undefined> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: serverUri(s).toString(), connectTimeout: 2000 });
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0]?.v ?? 'unknown');
  } catch {
    return undefined;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

export const mysqlServer: Component = {
  name: 'mysql',
  version: 'MySQL 8 / MariaDB 10.6+',
  address: (s) => serverUri(s).host,
  logFile: () => '/var/log/mysql/error.log (or the server journal)',

  async state(s): Promise<ComponentState> {
    const version = await serverVersion(s);
    return { answers: version !== undefined, version };
  },

  async start(s, say) {
    const host = serverUri(s).hostname;
    const local = host === '127.0.0.1' || host === 'localhost';
    if (!local || !existsSync(MARIADBD)) throw new InfraError(HINT);
    say(`MySQL does not answer at ${serverUri(s).host}; starting MariaDB: ${START_CMD}`);
    await run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', MARIADBD]).catch((err: Error) => {
      throw new InfraError(`${err.message}\n${HINT}`);
    });
    await waitReady('MariaDB', async () => (await serverVersion(s)) !== undefined, {
      log: { file: '/var/log/mysql/error.log', mark: logMark('/var/log/mysql/error.log') },
      timeoutMs: 60_000,
    }).catch((err: Error) => {
      throw new InfraError(`${err.message}\n${HINT}`);
    });
  },

  stop() {
    return Promise.resolve('left running (not managed by infra)');
  },
};

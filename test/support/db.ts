// A fresh, migrated database per test file (graphile-worker style isolation): tests never see
// each other's rows and can run in parallel.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createPool, parseMysqlUrl, type Pool } from '../../src/db/pool';
import { migrate } from '../../src/db/migrate';
import { silentLogger } from '../../src/log';

export const MYSQL_SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

export interface TestDb {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export function freshDatabase(label = 't'): Promise<TestDb> {
  return freshDatabaseOn(MYSQL_SERVER_URL, label);
}

/** The same on another server (the benchmarks' own MariaDB, bench/lib/private-mariadb.ts). */
export async function freshDatabaseOn(server: string, label = 't'): Promise<TestDb> {
  const name = `kds_${label.replace(/\W/g, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const { serverUrl } = parseMysqlUrl(server.replace(/\/?$/, '/x'));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString(), silentLogger);
  const pool = createPool(url.toString(), 10);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const conn = await mysql.createConnection({ uri: serverUrl });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

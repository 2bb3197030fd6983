// A clean slate per run: the order-service simulator keeps its orders in memory, so what a
// previous run stored (open dishes on the boards, parked events whose orders no longer exist
// anywhere) would only confuse this one. The service recreates and migrates the database.
import mysql from 'mysql2/promise';
import { parseMysqlUrl } from '../../src/db/pool';

/** Only databases named like the demo's are ever dropped, whatever MYSQL_URL says. */
const DEMO_DB = /^kds_demo\w*$/;

export async function resetDemoDatabase(url: string): Promise<'dropped' | 'kept'> {
  const { serverUrl, database } = parseMysqlUrl(url);
  if (!DEMO_DB.test(database)) return 'kept';
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
    return 'dropped';
  } finally {
    await conn.end();
  }
}

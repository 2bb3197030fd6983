// Migrations against the real MySQL/MariaDB: re-running applies nothing and leaves the schema as it
// was; two instances starting at once on an empty database apply each migration exactly once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import mysql from 'mysql2/promise';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { parseMysqlUrl } from '../../src/db/pool';
import { silentLogger } from '../../src/log';
import { MYSQL_SERVER_URL } from '../support/db';

const serverUrl = parseMysqlUrl(MYSQL_SERVER_URL.replace(/\/?$/, '/x')).serverUrl;
const created: string[] = [];
const migrationFiles = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();

function newDbUrl(label: string): { name: string; url: string } {
  const name = `kds_${label}_${randomBytes(4).toString('hex')}`;
  created.push(name);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { name, url: u.toString() };
}

async function query<T extends mysql.RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    const [rows] = await conn.query<T[]>(sql, params);
    return rows;
  } finally {
    await conn.end();
  }
}

interface ColumnRow extends mysql.RowDataPacket {
  t: string;
  c: string;
  type: string;
  nullable: string;
  dflt: string | null;
}

/** Every table's columns and indexes, as text, for before/after comparison. */
async function schemaOf(db: string): Promise<string[]> {
  const cols = await query<ColumnRow>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
            COLUMN_DEFAULT AS dflt
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [db],
  );
  const idx = await query<mysql.RowDataPacket & { t: string; i: string; c: string; seq: number }>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i, COLUMN_NAME AS c, SEQ_IN_INDEX AS seq
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [db],
  );
  return [
    ...cols.map((r) => `col ${r.t}.${r.c} ${r.type} ${r.nullable} ${String(r.dflt)}`),
    ...idx.map((r) => `idx ${r.t}.${r.i}#${r.seq} ${r.c}`),
  ];
}

async function appliedVersions(db: string): Promise<number[]> {
  const rows = await query<mysql.RowDataPacket & { version: number }>(
    `SELECT version FROM \`${db}\`.schema_migrations ORDER BY version`,
  );
  return rows.map((r) => Number(r.version));
}

after(async () => {
  for (const name of created) await query(`DROP DATABASE IF EXISTS \`${name}\``);
});

test('there are migrations to apply', () => {
  assert.ok(migrationFiles.length > 0);
  assert.ok(migrationFiles.includes('001_init.sql'));
});

test('a second run applies nothing and leaves the schema unchanged', async () => {
  const { name, url } = newDbUrl('mig_twice');
  assert.deepEqual(await migrate(url, silentLogger), migrationFiles);
  const before = await schemaOf(name);
  assert.ok(before.some((l) => l.startsWith('col dishes.state ')), 'dishes.state exists after migrating');

  assert.deepEqual(await migrate(url, silentLogger), []);
  assert.deepEqual(await schemaOf(name), before);
  assert.equal((await appliedVersions(name)).length, migrationFiles.length);
});

test('two concurrent migrate() calls on a fresh database both succeed, applying each migration once', async () => {
  const { name, url } = newDbUrl('mig_race');
  const [a, b] = await Promise.all([migrate(url, silentLogger), migrate(url, silentLogger)]);
  // one of them took the lock first and applied everything; the other found nothing left to do
  assert.deepEqual([...a, ...b].sort(), migrationFiles);
  assert.ok(a.length === 0 || b.length === 0, `both applied something: ${a.join()} / ${b.join()}`);
  const versions = await appliedVersions(name);
  assert.deepEqual(versions, migrationFiles.map((f) => Number(f.split('_')[0])));
});

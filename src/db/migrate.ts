// Numbered, forward-only SQL files from migrations/, each recorded in schema_migrations.
// Two instances starting at once serialize on a named lock (GET_LOCK works on MySQL and MariaDB;
// DDL commits implicitly, so a transaction could not protect a migration).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Logger } from '../log';
import { ClassifyingPromise } from './errors';
import { ensureDatabase } from './pool';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Splits a migration file on `;` at line ends; our migrations contain no procedures. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const version = Number(file.split('_')[0]);
    if (out.some((m) => m.version === version)) throw new Error(`two migrations numbered ${version}`);
    out.push({ version, name: file, statements: splitStatements(await readFile(path.join(dir, file), 'utf8')) });
  }
  return out;
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrate(url: string, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  await ensureDatabase(url);
  const conn = await mysql.createConnection({ uri: url, timezone: 'Z', Promise: ClassifyingPromise });
  const applied: string[] = [];
  try {
    const [lockRows] = await conn.query<mysql.RowDataPacket[]>("SELECT GET_LOCK('kds_migrate', 60) AS got");
    if (lockRows[0]?.got !== 1) throw new Error('could not take the migration lock within 60 s');
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB`);
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      for (const m of await loadMigrations(dir)) {
        if (done.has(m.version)) continue;
        log.info('applying migration', { migration: m.name });
        for (const stmt of m.statements) await conn.query(stmt);
        await conn.query('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
        applied.push(m.name);
      }
    } finally {
      await conn.query("SELECT RELEASE_LOCK('kds_migrate')");
    }
  } finally {
    await conn.end();
  }
  return applied;
}

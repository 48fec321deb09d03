/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; RawDatabase is async for PostgreSQL. */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { AccessEntry } from '../domain/audit/access-log.ts';

/**
 * For tests: an attacker's raw access to the access log's database (the SQLite file, or a
 * PostgreSQL superuser), bypassing the store, and a sample of entries.
 */
export type RawDatabase = {
  /** One statement; `?` placeholders in both dialects. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** What the attacker does first: drops the append-only triggers. */
  dropTriggers(): Promise<void>;
  close(): Promise<void>;
};

export function rawSqlite(path: string): RawDatabase {
  const db = new Database(path);
  return {
    run: async (sql, params = []) => void db.prepare(sql).run(...params),
    dropTriggers: async () => {
      for (const t of [
        'access_log_no_update',
        'access_log_no_delete',
        'access_log_seal_no_update',
        'access_log_seal_no_delete',
      ])
        db.exec(`DROP TRIGGER ${t}`);
    },
    close: async () => void db.close(),
  };
}

export async function rawPostgres(url: string, schema: string): Promise<RawDatabase> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  client.on('error', () => undefined);
  await client.connect();
  const run = async (sql: string, params: readonly unknown[] = []): Promise<void> => {
    let n = 0;
    await client.query(
      sql.replace(/\?/g, () => `$${++n}`),
      [...params],
    );
  };
  return {
    run,
    dropTriggers: async () => {
      for (const [t, table] of [
        ['access_log_no_change', 'access_log'],
        ['access_log_no_truncate', 'access_log'],
        ['access_log_seal_no_change', 'access_log_seal'],
        ['access_log_seal_no_truncate', 'access_log_seal'],
      ])
        await run(`DROP TRIGGER ${t} ON ${table}`);
    },
    close: () => client.end(),
  };
}

const OPERATIONS = ['provision.query', 'integrity.check', 'alerts.list', 'node.isolate'] as const;

/** Entry number `n` (1-based) of a deterministic sample log. */
export function sampleEntry(n: number, over: Partial<AccessEntry> = {}): AccessEntry {
  const second = String(n % 60).padStart(2, '0');
  return {
    at: `2026-11-24T05:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${second}.${String(n % 1000).padStart(3, '0')}Z`,
    node: 'prefecture:13',
    operator: n % 5 === 0 ? 'system' : `clerk-${n % 3}`,
    operation: OPERATIONS[n % OPERATIONS.length]!,
    target: `resident-${n}`,
    ...(n % 2 === 0 ? { purpose: `affair-${n % 7}` } : {}),
    result: n % 4 === 0 ? 'refused' : 'ok',
    ...(n % 4 === 0 ? { reason: 'provision.not-permitted' } : {}),
    ...over,
  };
}

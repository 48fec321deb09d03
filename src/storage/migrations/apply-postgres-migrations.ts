import type { Pool } from 'pg';
import type { Migration } from './Migration.ts';
import { MIGRATIONS } from './migrations.ts';
import { planMigrations, type AppliedMigration } from './plan-migrations.ts';

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** One advisory lock key for all jukinet migrations in a database ('jukinet' in ASCII). */
const MIGRATION_LOCK_KEY = 0x6a756b696e6574n;

/**
 * Brings a PostgreSQL schema (`schema`, created if missing, or else the first one on the search
 * path) to the schema this code knows, in one transaction under an advisory lock, so that several
 * processes opening the same database at once create the schema and apply each migration exactly
 * once. Returns the versions applied now. Throws SchemaTooNewError for a database from a newer
 * jukinet. `schema` must already be a validated plain identifier.
 */
export async function applyPostgresMigrations(
  pool: Pool,
  options: { readonly schema?: string; readonly migrations?: readonly Migration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    if (options.schema !== undefined) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    }
    await client.query(CREATE_SCHEMA_MIGRATIONS);
    const { rows } = await client.query<AppliedMigration>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const pending = planMigrations(rows, migrations);
    for (const m of pending) {
      await client.query(m.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    }
    await client.query('COMMIT');
    return pending.map((m) => m.version);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

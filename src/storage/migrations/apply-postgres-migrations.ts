import type { Pool } from 'pg';
import { RegistryError } from '../../domain/errors.ts';
import type { Migration } from './Migration.ts';
import { MIGRATIONS } from './migrations.ts';
import { planMigrations, SchemaBehindError, type AppliedMigration } from './plan-migrations.ts';

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** One advisory lock key for all jukinet migrations in a database ('jukinet' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6a756b696e6574n;

/** What the connected role finds of `schema`, read from the catalogs without writing anything. */
type SchemaState = {
  readonly schema: string;
  readonly role: string;
  /** Superuser, member of the role owning `schema_migrations`, or (none yet) allowed to create it. */
  readonly mayMigrate: boolean;
  /** The recorded migrations; undefined when there is no `schema_migrations` to read. */
  readonly applied: readonly AppliedMigration[] | undefined;
  /** `schema_migrations` exists but this role may not read it (the grant was not run). */
  readonly unreadable: boolean;
};

const STATE_SQL = `
WITH s AS (SELECT coalesce($1::text, current_schema(), 'public') AS name),
n AS (SELECT ns.oid, ns.nspowner FROM pg_namespace ns JOIN s ON ns.nspname = s.name),
t AS (SELECT c.oid, c.relowner FROM pg_class c JOIN n ON c.relnamespace = n.oid
      WHERE c.relname = 'schema_migrations' AND c.relkind = 'r')
SELECT s.name AS schema, quote_ident(s.name) AS quoted, current_user AS role,
  (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) AS superuser,
  (SELECT has_schema_privilege(n.oid, 'CREATE') FROM n) AS schema_create,
  has_database_privilege(current_database(), 'CREATE') AS database_create,
  (SELECT pg_has_role(current_user, t.relowner, 'USAGE') FROM t) AS table_owner,
  (SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(t.oid, 'SELECT')
     FROM n, t) AS table_readable
FROM s`;

type StateRow = {
  schema: string;
  quoted: string;
  role: string;
  superuser: boolean | null;
  schema_create: boolean | null;
  database_create: boolean;
  table_owner: boolean | null;
  table_readable: boolean | null;
};

async function readSchemaState(pool: Pool, schema: string | undefined): Promise<SchemaState> {
  const { rows } = await pool.query<StateRow>(STATE_SQL, [schema ?? null]);
  const r = rows[0]!;
  const tableExists = r.table_owner !== null;
  const mayMigrate =
    r.superuser === true ||
    (tableExists ? r.table_owner === true : (r.schema_create ?? r.database_create));
  const readable = tableExists && r.table_readable === true;
  const applied = readable
    ? (
        await pool.query<AppliedMigration>(
          `SELECT version, name FROM ${r.quoted}.schema_migrations ORDER BY version`,
        )
      ).rows
    : undefined;
  return {
    schema: r.schema,
    role: r.role,
    mayMigrate,
    applied,
    unreadable: tableExists && !readable,
  };
}

/**
 * Brings a PostgreSQL schema (`schema`, created if missing, or else the first one on the search
 * path) to the schema this code knows, in one transaction under an advisory lock, so that several
 * processes opening the same database at once create the schema and apply each migration exactly
 * once. Returns the versions applied now. Throws SchemaTooNewError for a database from a newer
 * jukinet. `schema` must already be a validated plain identifier.
 *
 * Only the owner migrates (docs/STORAGE.md "Roles"): a role that is neither a superuser nor a
 * member of the role owning `schema_migrations` (nor, on an empty schema, allowed to create in
 * it) never writes: an up-to-date schema opens, a schema behind this code is refused with
 * SchemaBehindError, a schema it may not even read with RegistryError('forbidden',
 * 'storage.role-not-granted').
 */
export async function applyPostgresMigrations(
  pool: Pool,
  options: { readonly schema?: string; readonly migrations?: readonly Migration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const state = await readSchemaState(pool, options.schema);
  if (state.applied !== undefined && planMigrations(state.applied, migrations).length === 0)
    return [];
  if (!state.mayMigrate) {
    if (state.unreadable)
      throw new RegistryError(
        'forbidden',
        `このロールにはスキーマの権限がありません / role "${state.role}" may not read the schema ` +
          `"${state.schema}": grant it as the owner (juki store grant --store OWNER_URL ` +
          `--app-role ${state.role})`,
        'storage.role-not-granted',
      );
    const current = (state.applied ?? []).reduce((max, a) => Math.max(max, a.version), 0);
    throw new SchemaBehindError(current, migrations.at(-1)?.version ?? 0, state.role, state.schema);
  }
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

import pg from 'pg';
import { RegistryError } from '../../domain/errors.ts';
import {
  applyPostgresMigrations,
  MIGRATION_LOCK_KEY,
} from '../migrations/apply-postgres-migrations.ts';
import { translateConnectError } from './postgres-errors.ts';
import { SCHEMA_NAME } from './postgres-pool.ts';
import { PG_TYPES } from './postgres-sql.ts';

/*
 * Least privilege on PostgreSQL (docs/STORAGE.md "Roles"): the owner role runs the migrations and
 * owns every table; the application role, which a running node connects as, owns nothing and may
 * only read and write rows. On the append-only tables it may only read and insert, so that even
 * with the triggers gone (only an owner can drop them) it cannot change or remove a record.
 */

/**
 * The tables whose migrations make them append-only by trigger: the access log and its seals
 * (migration 10, R23), the operator register's history (migration 9) and the seals anchored by
 * downstream nodes (migration 15). A test keeps this list equal to the tables that carry triggers.
 */
export const APPEND_ONLY_TABLES = [
  'access_log',
  'access_log_seal',
  'audit_anchor',
  'operator_event',
] as const;

/** A plain, unquoted role name (like SCHEMA_NAME: it goes into GRANT statements). */
export const ROLE_NAME = SCHEMA_NAME;

export type GrantResult = {
  readonly schema: string;
  readonly appRole: string;
  /** Tables on which the role may SELECT, INSERT, UPDATE, DELETE. */
  readonly readWrite: readonly string[];
  /** Append-only tables: SELECT and INSERT only. */
  readonly appendOnly: readonly string[];
  /** What the grant could not take away (PUBLIC's privileges), in English, for the operator. */
  readonly warnings: readonly string[];
};

const INFO_SQL = `
WITH s AS (SELECT coalesce($1::text, current_schema(), 'public') AS name)
SELECT s.name AS schema, n.oid AS schema_oid,
  r.oid AS role_oid, r.rolsuper AS role_super
FROM s
LEFT JOIN pg_namespace n ON n.nspname = s.name
LEFT JOIN pg_roles r ON r.rolname = $2`;

/** Objects of the schema (and the schema itself) whose owner the role is, or may become. */
const OWNED_SQL = `
SELECT n.nspname AS name FROM pg_namespace n
  WHERE n.oid = $1 AND pg_has_role($2::oid, n.nspowner, 'MEMBER')
UNION ALL
SELECT c.relname FROM pg_class c
  WHERE c.relnamespace = $1 AND pg_has_role($2::oid, c.relowner, 'MEMBER')
UNION ALL
SELECT p.proname FROM pg_proc p
  WHERE p.pronamespace = $1 AND pg_has_role($2::oid, p.proowner, 'MEMBER')
UNION ALL
SELECT current_user WHERE pg_has_role($2::oid, current_user, 'MEMBER')
ORDER BY 1 LIMIT 5`;

/**
 * `juki store migrate` / `juki store grant`, on a connection of the owner role: brings the schema
 * up to date (SchemaBehindError if this role is not the owner), then, with `appRole`, grants it
 * (grantPostgresAppRole). Returns the migration versions applied now.
 */
export async function migratePostgresStore(
  connectionString: string,
  options: { readonly schema?: string | undefined; readonly appRole?: string | undefined } = {},
): Promise<{ readonly applied: readonly number[]; readonly grant?: GrantResult }> {
  const { schema, appRole } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw notPlainSchema(schema);
  if (appRole !== undefined && !ROLE_NAME.test(appRole)) throw notPlainRole(appRole);
  const pool = new pg.Pool({
    connectionString,
    max: 1,
    types: PG_TYPES,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on('error', () => undefined);
  try {
    const applied = await applyPostgresMigrations(pool, schema === undefined ? {} : { schema });
    if (appRole === undefined) return { applied };
    return { applied, grant: await grantPostgresAppRole(pool, { appRole, schema }) };
  } catch (e) {
    throw translateConnectError(e, connectionString);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

type InfoRow = {
  schema: string;
  schema_oid: number | null;
  role_oid: number | null;
  role_super: boolean | null;
};

/**
 * Grants `appRole` what a running node needs in `schema` (default: the first schema on the
 * search path) and nothing more, on a connection of the owner role: USAGE on the schema; SELECT,
 * INSERT, UPDATE, DELETE on every table but the append-only ones (SELECT, INSERT only); USAGE,
 * SELECT on the sequences; CONNECT and TEMPORARY on the database (bulk loads use a temporary
 * table). Everything else the role held on these tables (TRUNCATE, TRIGGER, REFERENCES) and
 * CREATE on the schema are revoked first, so running it again after a migration is the upgrade
 * step. Refuses (RegistryError) a role name that is not plain, a role that does not exist, a
 * superuser, and a role that owns or may become the owner of anything here: such a role could
 * drop the triggers.
 */
export async function grantPostgresAppRole(
  pool: pg.Pool,
  options: { readonly appRole: string; readonly schema?: string | undefined },
): Promise<GrantResult> {
  const { appRole } = options;
  if (!ROLE_NAME.test(appRole)) throw notPlainRole(appRole);
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema))
    throw notPlainSchema(options.schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const info = (await client.query<InfoRow>(INFO_SQL, [options.schema ?? null, appRole]))
      .rows[0]!;
    refuseUnfit(info, appRole);
    const owned = await client.query<{ name: string }>(OWNED_SQL, [info.schema_oid, info.role_oid]);
    if (owned.rows.length > 0)
      throw new RegistryError(
        'forbidden',
        `アプリケーションロールが所有者を兼ねています / role "${appRole}" owns or may take the owner's ` +
          `place of ${owned.rows.map((r) => r.name).join(', ')} in schema "${info.schema}": ` +
          'the application role must own nothing (use another role)',
        'storage.app-role-owns',
      );
    const result = await grantIn(client, info.schema, appRole);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

const notPlainRole = (role: string): RegistryError =>
  new RegistryError(
    'invalid',
    `ロール名が不正です / not a plain role name: ${JSON.stringify(role)}`,
    'store.role-name',
  );

const notPlainSchema = (schema: string): RegistryError =>
  new RegistryError(
    'invalid',
    `not a plain schema name: ${JSON.stringify(schema)}`,
    'store.schema-name',
  );

function refuseUnfit(info: InfoRow, appRole: string): void {
  if (!SCHEMA_NAME.test(info.schema)) throw notPlainSchema(info.schema);
  if (info.schema_oid === null)
    throw new RegistryError(
      'not-found',
      `スキーマがありません / no schema "${info.schema}": run the migrations as the owner first`,
      'storage.schema-missing',
    );
  if (info.role_oid === null)
    throw new RegistryError(
      'not-found',
      `ロールがありません / no role "${appRole}": create it first ` +
        `(CREATE ROLE ${appRole} LOGIN PASSWORD '…')`,
      'storage.app-role-missing',
    );
  if (info.role_super === true)
    throw new RegistryError(
      'forbidden',
      `スーパーユーザーはアプリケーションロールにできません / role "${appRole}" is a superuser: ` +
        'permissions do not bind it',
      'storage.app-role-superuser',
    );
}

async function grantIn(client: pg.PoolClient, schema: string, role: string): Promise<GrantResult> {
  const tables = (
    await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      [schema],
    )
  ).rows.map((r) => r.name);
  const appendOnly = tables.filter((t) => (APPEND_ONLY_TABLES as readonly string[]).includes(t));
  const q = (name: string): string => `${schema}."${name}"`;
  await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}`);
  await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${role}`);
  await client.query(`REVOKE CREATE ON SCHEMA ${schema} FROM ${role}`);
  await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
  await client.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
  );
  if (appendOnly.length > 0)
    await client.query(`REVOKE UPDATE, DELETE ON ${appendOnly.map(q).join(', ')} FROM ${role}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
  const db = await client.query<{ name: string; connect: boolean; temp: boolean }>(
    `SELECT quote_ident(current_database()) AS name,
       has_database_privilege($1::name, current_database(), 'CONNECT') AS connect,
       has_database_privilege($1::name, current_database(), 'TEMPORARY') AS temp`,
    [role],
  );
  const d = db.rows[0]!;
  if (!d.connect || !d.temp)
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${d.name} TO ${role}`);
  const left = await client.query<{ create: boolean; changes: string | null }>(
    `SELECT has_schema_privilege($1::name, $2::text, 'CREATE') AS create,
       (SELECT string_agg(t, ', ') FROM unnest($3::text[]) t
        WHERE has_table_privilege($1::name, format('%I.%I', $2::text, t),
          'UPDATE, DELETE, TRUNCATE')) AS changes`,
    [role, schema, appendOnly],
  );
  const warnings: string[] = [];
  if (left.rows[0]!.create)
    warnings.push(
      `role ${role} may still CREATE in schema ${schema} through PUBLIC ` +
        `(REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC)`,
    );
  if (left.rows[0]!.changes !== null)
    warnings.push(
      `role ${role} may still change ${left.rows[0]!.changes} through PUBLIC or another role`,
    );
  return {
    schema,
    appRole: role,
    readWrite: tables.filter((t) => !appendOnly.includes(t)),
    appendOnly,
    warnings,
  };
}

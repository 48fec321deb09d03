import pg from 'pg';
import { RegistryError } from '../../domain/errors.ts';
import { applyPostgresMigrations } from '../migrations/apply-postgres-migrations.ts';
import { translateConnectError } from './postgres-errors.ts';
import { PG_TYPES } from './postgres-sql.ts';

/**
 * One connection pool per (server, schema) per process, shared by a node's stores (identity,
 * provision, alerts, reports, operators, access log, credentials), reference-counted: the last
 * `release` ends it. Why: a pool per store gave every PostgreSQL node seven pools, over a hundred
 * possible connections for a test network of seven nodes against the server's default
 * `max_connections` of 100. The schema is migrated once, when the pool is made.
 */
export type SharedPool = {
  readonly pool: pg.Pool;
  /** The last release ends the pool. Idempotent per acquirer. */
  readonly release: () => Promise<void>;
};

/** A plain, unquoted schema name (it goes into `search_path`). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connections of a node's pool unless a store asks for more (the identity store's default). */
export const DEFAULT_POOL_SIZE = 10;

type Entry = { pool: pg.Pool; refs: number; migrated: Promise<unknown> };
const shared = new Map<string, Entry>();

export async function acquirePostgres(
  connectionString: string,
  options: { readonly schema?: string | undefined; readonly poolSize?: number | undefined } = {},
): Promise<SharedPool> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new RegistryError(
      'invalid',
      `not a plain schema name: ${JSON.stringify(schema)}`,
      'store.schema-name',
    );
  const key = `${connectionString}\u0000${schema ?? ''}`;
  let entry = shared.get(key);
  if (entry === undefined) {
    const pool = new pg.Pool({
      connectionString,
      max: Math.max(options.poolSize ?? 0, DEFAULT_POOL_SIZE),
      types: PG_TYPES,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection dropped by the server must not crash the process; the next query says so.
    pool.on('error', () => undefined);
    const migrated = applyPostgresMigrations(pool, schema === undefined ? {} : { schema });
    migrated.catch(() => undefined);
    const created: Entry = { pool, refs: 0, migrated };
    shared.set(key, created);
    entry = created;
  } else if (options.poolSize !== undefined && options.poolSize > entry.pool.options.max) {
    entry.pool.options.max = options.poolSize;
  }
  const e = entry;
  e.refs++;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    if (--e.refs > 0) return;
    if (shared.get(key) === e) shared.delete(key);
    await e.pool.end().catch(() => undefined);
  };
  try {
    await e.migrated;
  } catch (err) {
    // A pool that could not be migrated is never handed out again.
    if (shared.get(key) === e) shared.delete(key);
    await release();
    throw translateConnectError(err, connectionString);
  }
  return { pool: e.pool, release };
}

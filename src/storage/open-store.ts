import type { IdentityStore } from './ports.ts';
import { PostgresIdentityStore } from './postgres/postgres-identity-store.ts';
import { SqliteIdentityStore } from './sqlite/sqlite-identity-store.ts';
import { parseStoreUrl } from './store-url.ts';

export type OpenStoreOptions = {
  /** PostgreSQL: a schema of its own instead of `public` (created if missing). */
  readonly schema?: string;
  /** PostgreSQL: connections in the pool (default 10). */
  readonly poolSize?: number;
  /** SQLite: bytes to memory-map for reads (default 0: off). */
  readonly mmapBytes?: number;
};

/**
 * Opens (and migrates) the identity store named by `url` (`--store`): `sqlite:PATH`,
 * `sqlite::memory:`, a bare path ending .sqlite/.sqlite3/.db, or `postgres://…` /
 * `postgresql://…`. Throws RegistryError('invalid') for anything else, ('unavailable') when
 * PostgreSQL cannot be reached, SchemaTooNewError for a database from a newer jukinet. No
 * message ever contains the password of the URL.
 */
export async function openIdentityStore(
  url: string,
  options: OpenStoreOptions = {},
): Promise<IdentityStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteIdentityStore.open(location.path, options);
    case 'postgres':
      return PostgresIdentityStore.open(location.connectionString, options);
  }
}

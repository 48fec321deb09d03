import type { OpenStoreOptions } from './open-store.ts';
import type { CredentialStore } from './ports.ts';
import { PostgresCredentialStore } from './postgres/postgres-credential-store.ts';
import { SqliteCredentialStore } from './sqlite/sqlite-credential-store.ts';
import { parseStoreUrl } from './store-url.ts';

/**
 * Opens (and migrates) the web terminal's credential store of the node whose store is `url`
 * (docs/WEB-TERMINAL.md): the same database as its identity store, tables of their own.
 */
export async function openCredentialStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<CredentialStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteCredentialStore.open(location.path);
    case 'postgres':
      return PostgresCredentialStore.open(location.connectionString, options);
  }
}

import { parseStoreUrl } from '../storage/store-url.ts';
import { PostgresRegisterStore } from './postgres-register-store.ts';
import type { RegisterStore } from './RegisterStore.ts';
import { SqliteRegisterStore } from './sqlite-register-store.ts';

export type OpenRegisterOptions = {
  /** 団体コード of the municipality: recorded on a new register, checked on an existing one. */
  readonly municipality?: string | undefined;
  /** PostgreSQL: a schema of its own instead of `public` (created if missing). */
  readonly schema?: string | undefined;
};

/**
 * Opens (and migrates) the existing register named by `url` (`--register`): the same URL forms
 * as a store (`sqlite:PATH`, `sqlite::memory:`, a path ending .sqlite/.sqlite3/.db,
 * `postgres://…`), but a database of its own — never a CS store's (refused with
 * `storage.schema-mismatch` / `storage.schema-too-new`). No message shows the URL's password.
 */
export async function openRegisterStore(
  url: string,
  options: OpenRegisterOptions = {},
): Promise<RegisterStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteRegisterStore.open(location.path, options);
    case 'postgres':
      return PostgresRegisterStore.open(location.connectionString, options);
  }
}

/** The register as its CS's node runtime sees it: the feed (and close). */
export const openRegisterFeed: (
  url: string,
  options?: OpenRegisterOptions,
) => Promise<RegisterStore> = openRegisterStore;

import { RegistryError } from '../domain/errors.ts';

/** Where a node's identity store lives, parsed from `--store URL`. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly connectionString: string };

const SQLITE_FILE = /\.(sqlite|sqlite3|db)$/i;

/**
 * `sqlite:PATH`, `sqlite::memory:`, a bare path ending in .sqlite/.sqlite3/.db, or
 * `postgres://…` / `postgresql://…`. Anything else is refused with RegistryError('invalid');
 * the message never shows a password.
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw invalid(url, 'store.sqlite-path-missing', 'sqlite: needs a file path');
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', connectionString: url };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && SQLITE_FILE.test(url))
    return { kind: 'sqlite', path: url };
  throw invalid(
    url,
    'store.unknown-scheme',
    'use sqlite:PATH, sqlite::memory:, a file ending .sqlite/.db, or postgres://…',
  );
}

function invalid(url: string, reason: string, hint: string): RegistryError {
  return new RegistryError(
    'invalid',
    `ストアの指定が不正です / unsupported store URL ${JSON.stringify(redactUrl(url))}: ${hint}`,
    reason,
  );
}

/** The URL with any password (user:PASSWORD@ or ?password=…) replaced by `***`. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|sslpassword)=)[^&#]*/gi, '$1***');
}

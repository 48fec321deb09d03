import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../store-url.ts';

/*
 * Throw-away PostgreSQL databases for tests and benchmarks. The server is the one at
 * JUKINET_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres: the maintenance
 * database, trust auth). Each caller (one test file, one benchmark run) gets a database of its
 * own, named jukinet_test_<pid>_<random>, and drops it at the end.
 */

export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const testAdminUrl = (): string => process.env['JUKINET_TEST_PG_URL'] ?? DEFAULT_TEST_PG_URL;

export type TestDatabase = {
  /** Connection string of the new database (same server, user and password as the admin URL). */
  readonly url: string;
  readonly name: string;
  /** Drops the database (terminating leftover connections). Safe to call twice. */
  drop(): Promise<void>;
};

/** Creates a fresh database; throws (with what is missing and how to fix it) when unreachable. */
export async function createTestDatabase(prefix = 'jukinet_test'): Promise<TestDatabase> {
  const adminUrl = testAdminUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

/**
 * For a test file: a fresh database, or undefined (tests skipped) when PostgreSQL is unreachable.
 * Unreachable is a FAILURE instead when CI=true or when STORES names `postgres` explicitly: there
 * the store must be tested. Either way the message says what is missing and how to fix it.
 */
export async function createTestDatabaseOrSkip(prefix?: string): Promise<TestDatabase | undefined> {
  try {
    return await createTestDatabase(prefix);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const message =
      `PostgreSQL is not reachable at ${redactUrl(testAdminUrl())} (${why}). ` +
      'The PostgreSQL store tests need a server with a user allowed to CREATE DATABASE: start one ' +
      '(e.g. `docker run -e POSTGRES_HOST_AUTH_METHOD=trust -p 5432:5432 postgres:16`) or set ' +
      'JUKINET_TEST_PG_URL=postgres://USER:PASSWORD@HOST:PORT/postgres.';
    if (process.env['CI'] === 'true' || storesRequested().includes('postgres'))
      throw new Error(message, { cause: e });
    console.warn(`\n!!!!! SKIPPING PostgreSQL store tests !!!!!\n${message}\n`);
    return undefined;
  }
}

/** The stores a test run asks for (`STORES=sqlite,postgres`); empty when STORES is unset. */
export function storesRequested(): string[] {
  return (process.env['STORES'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** True unless STORES is set and does not name `store`. */
export const storeSelected = (store: 'sqlite' | 'postgres'): boolean => {
  const requested = storesRequested();
  return requested.length === 0 || requested.includes(store);
};

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

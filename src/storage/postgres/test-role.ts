import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testAdminUrl } from './test-database.ts';

/*
 * Throw-away PostgreSQL login roles for tests of the application role (docs/STORAGE.md "Roles").
 * Roles are cluster-global, not per database: each is named jukinet_test_app_<pid>_<random> and
 * must be dropped after the test database (which takes the role's privileges with it).
 */

export type TestRole = {
  readonly name: string;
  /** `databaseUrl` with this role as the user (the server's trust auth: no password). */
  url(databaseUrl: string): string;
  /** Drops the role. Safe to call twice. */
  drop(): Promise<void>;
};

/** Creates a fresh LOGIN role (no other attribute) on the test server. */
export async function createTestRole(prefix = 'jukinet_test_app'): Promise<TestRole> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE ROLE ${name} LOGIN`));
  let dropped = false;
  return {
    name,
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.username = name;
      url.password = '';
      return url.toString();
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${name}`));
    },
  };
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testAdminUrl(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

import { afterAll, describe, expect, it } from 'vitest';
import { acquirePostgres, DEFAULT_POOL_SIZE } from './postgres-pool.ts';
import { createTestDatabaseOrSkip, type TestDatabase } from './test-database.ts';

const db: TestDatabase | undefined = await createTestDatabaseOrSkip('jukinet_pool');
afterAll(() => db?.drop());

describe.skipIf(db === undefined)(
  'acquirePostgres: one pool per (server, schema) per process',
  () => {
    it('shares the pool of a schema until the last release, and migrates the schema once', async () => {
      const a = await acquirePostgres(db!.url, { schema: 'node_a' });
      const b = await acquirePostgres(db!.url, { schema: 'node_a', poolSize: 12 });
      const other = await acquirePostgres(db!.url, { schema: 'node_b' });
      expect(b.pool).toBe(a.pool);
      expect(other.pool).not.toBe(a.pool);
      expect(a.pool.options.max).toBe(Math.max(12, DEFAULT_POOL_SIZE)); // the larger wish counts
      const tables = await a.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'node_a' AND table_name = 'identity'",
      );
      expect(tables.rows[0]!.n).toBe(1);
      await a.release();
      await a.release(); // a second release by the same holder does not take the other's share
      await expect(b.pool.query('SELECT 1')).resolves.toBeDefined();
      await b.release();
      await expect(b.pool.query('SELECT 1')).rejects.toThrow();
      await other.release();
    });

    it('refuses a schema name that is not plain, before connecting', async () => {
      await expect(acquirePostgres(db!.url, { schema: 'x; DROP TABLE y' })).rejects.toMatchObject({
        code: 'invalid',
        reason: 'store.schema-name',
      });
    });
  },
);

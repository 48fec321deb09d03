import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MUNICIPALITY,
  TODAY,
  code,
  moveInForm,
  spouseForm,
} from '../domain/register/register.fixtures.ts';
import { createTestDatabaseOrSkip, storeSelected } from '../storage/postgres/test-database.ts';
import { describeRegisterStoreContract } from './contract.ts';
import { REGISTER_MIGRATIONS } from './register-migrations.ts';
import { PostgresRegisterStore } from './postgres-register-store.ts';

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_test_register')
  : undefined;

describe.skipIf(database === undefined)('PostgreSQL register', () => {
  const url = database?.url ?? '';
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  let schemas = 0;
  const freshSchema = (): string => `r${++schemas}_${Math.floor(performance.now())}`;
  afterAll(async () => {
    await raw.end();
    await database?.drop();
  });

  describeRegisterStoreContract('PostgresRegisterStore', async () => {
    const schema = freshSchema();
    const store = await PostgresRegisterStore.open(url, { schema, municipality: MUNICIPALITY });
    return {
      store,
      open: (options) => PostgresRegisterStore.open(url, { ...options, schema }),
      countRows: async (table) => {
        const { rows } = await raw.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${schema}.${table}`,
        );
        return Number(rows[0]!.n);
      },
      cleanup: async () => {
        await store.close();
        await raw.query(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  });

  it('migrations: its own list, recorded once, on reopen nothing more', async () => {
    const schema = freshSchema();
    await (await PostgresRegisterStore.open(url, { schema, municipality: MUNICIPALITY })).close();
    await (await PostgresRegisterStore.open(url, { schema })).close();
    const { rows } = await raw.query(
      `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual(REGISTER_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await raw.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('two counters at once: writes serialise, feed ids follow commit order, nothing is lost', async () => {
    const schema = freshSchema();
    const a = await PostgresRegisterStore.open(url, { schema, municipality: MUNICIPALITY });
    const b = await PostgresRegisterStore.open(url, { schema });
    try {
      await a.perform({ reason: 'move-in', form: moveInForm() }, { today: TODAY });
      // Both join household 1 at once: each sees the head, neither is lost.
      const [x, y] = await Promise.all([
        a.perform({ reason: 'move-in', form: spouseForm('1') }, { today: TODAY }),
        b.perform(
          {
            reason: 'move-in',
            form: spouseForm('1', {
              residentCode: code(3),
              name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
              household: { kind: 'join', householdId: '1', relationship: '子' },
            }),
          },
          { today: TODAY },
        ),
      ]);
      expect((await a.household('1')).length).toBe(3);
      const feed = await b.pendingFeed(10);
      expect(feed).toHaveLength(3);
      expect(new Set(feed.slice(1).map((e) => e.id))).toEqual(new Set([x.feedId, y.feedId]));
    } finally {
      await a.close();
      await b.close();
      await raw.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../domain/errors.ts';
import { describeIdentityStoreContract } from '../contract.ts';
import {
  date,
  loadedRecord,
  moveIn,
  moveWithin,
  person,
  residentCode,
} from '../contract-fixtures.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../migrations/migrations.ts';
import { SchemaTooNewError } from '../migrations/plan-migrations.ts';
import { openIdentityStore } from '../open-store.ts';
import { PostgresIdentityStore } from './postgres-identity-store.ts';
import { LOOKUP_BY_RESIDENT_CODE_SQL } from './postgres-sql.ts';
import { createTestDatabaseOrSkip, storeSelected } from './test-database.ts';

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_test')
  : undefined;

describe('PostgreSQL connection errors', () => {
  it('an unreachable server is RegistryError(unavailable) and the message never shows the password', async () => {
    const error = await openIdentityStore(
      'postgres://juki:hunter2secret@127.0.0.1:1/nowhere',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'storage.unreachable' });
    expect((error as Error).message).not.toContain('hunter2secret');
    expect((error as Error).message).toContain('juki:***@127.0.0.1:1');
  });
});

describe.skipIf(database === undefined)('PostgreSQL store', () => {
  const url = database?.url ?? '';
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  let schemas = 0;
  const freshSchema = (): string => `t${++schemas}_${Math.floor(performance.now())}`;
  afterAll(async () => {
    await raw.end();
    await database?.drop();
  });

  describeIdentityStoreContract('PostgresIdentityStore', async () => {
    const schema = freshSchema();
    const store = await PostgresIdentityStore.open(url, { schema });
    return {
      store,
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

  it('migrations: applied once, recorded, idempotent on reopen; a newer schema is refused (typed error)', async () => {
    const schema = freshSchema();
    await (await openIdentityStore(url, { schema })).close();
    await (await openIdentityStore(url, { schema })).close();
    const { rows } = await raw.query(
      `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await raw.query(
      `INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, 'from-the-future')`,
      [LATEST_SCHEMA_VERSION + 1],
    );
    const error = await openIdentityStore(url, { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({
      reason: 'storage.schema-too-new',
      databaseVersion: LATEST_SCHEMA_VERSION + 1,
    });
    await raw.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('migrations: several processes opening one empty database at once apply each migration once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresIdentityStore.open(url, { schema, poolSize: 1 })),
    );
    await Promise.all(stores.map((s) => s.close()));
    const { rows } = await raw.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
    expect(rows[0]).toEqual({ n: MIGRATIONS.length });
    await raw.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('R19: changes of one resident from two stores (two pools, like two processes) serialise on the row lock', async () => {
    const schema = freshSchema();
    const a = await PostgresIdentityStore.open(url, { schema, poolSize: 4 });
    const b = await PostgresIdentityStore.open(url, { schema, poolSize: 4 });
    const today = date('2024-04-01');
    await a.applyChange(moveIn(person(1), date('2020-04-01')), { today });
    const moves = Array.from({ length: 12 }, (_, i) =>
      moveWithin(person(1), `東京都千代田区平河町${i + 1}番地`, date('2021-04-01')),
    );
    const outcomes = await Promise.all(
      moves.map((m, i) => (i % 2 === 0 ? a : b).applyChange(m, { today })),
    );
    expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
    const history = await b.history(residentCode(1));
    for (let i = 1; i < history.length; i++)
      expect(history[i]!.before).toEqual(history[i - 1]!.event.values);
    expect((await a.getIdentity(residentCode(1))).version).toBe(13);
    await Promise.all([a.close(), b.close()]);
    await raw.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('R19: loadBatch copies thousands of rows, with tabs, backslashes and newlines kept exactly', async () => {
    const schema = freshSchema();
    const store = await PostgresIdentityStore.open(url, { schema });
    const batch = Array.from({ length: 2500 }, (_, i) => ({
      line: i + 1,
      record: loadedRecord(1000 + i),
    }));
    const odd = loadedRecord(9999, { address: '東京都千代田区\t霞が関\\1\n2番地\r' });
    const report = await store.loadBatch([
      ...batch,
      { line: 2501, record: odd },
      { line: 2502, record: loadedRecord(1000) },
    ]);
    expect(report).toEqual({
      loaded: 2501,
      refused: [
        {
          line: 2502,
          residentCode: residentCode(1000),
          reason: 'resident-code.duplicate-in-batch',
        },
      ],
    });
    expect(await store.getIdentity(residentCode(9999))).toEqual(odd);
    expect(await store.countIdentities()).toBe(2501);
    // The exported lookup SQL runs raw on the same schema (what the benchmark compares against).
    const { rows } = await raw.query({
      text: LOOKUP_BY_RESIDENT_CODE_SQL.replace('FROM identity', `FROM ${schema}.identity`),
      values: [residentCode(1001)],
    });
    expect(rows[0]).toMatchObject({ resident_code: residentCode(1001) });
    await store.close();
    await raw.query(`DROP SCHEMA ${schema} CASCADE`);
  });
});

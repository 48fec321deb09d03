import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../audit/seal-key.ts';
import { sampleEntry } from '../../audit/test-log.ts';
import { isRegistryError } from '../../domain/errors.ts';
import type { Recipient, RecipientId } from '../../domain/provision/recipient.ts';
import { contractGrant } from '../contract-operator.ts';
import { date, moveIn, person, residentCode } from '../contract-fixtures.ts';
import { applyPostgresMigrations } from '../migrations/apply-postgres-migrations.ts';
import { MIGRATIONS } from '../migrations/migrations.ts';
import { SchemaBehindError } from '../migrations/plan-migrations.ts';
import {
  openAccessLogStore,
  openIdentityStore,
  openOperatorStore,
  openProvisionStore,
} from '../open-store.ts';
import {
  APPEND_ONLY_TABLES,
  grantPostgresAppRole,
  migratePostgresStore,
} from './postgres-roles.ts';
import { PG_TYPES } from './postgres-sql.ts';
import { createTestDatabaseOrSkip, storeSelected } from './test-database.ts';
import { createTestRole, type TestRole } from './test-role.ts';

/*
 * Least privilege on real PostgreSQL (docs/STORAGE.md "Roles"). Roles are cluster-global: each
 * run makes its own, uniquely named, and drops it at the end, also when a test fails.
 */

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_roles')
  : undefined;
const role: TestRole | undefined =
  database === undefined
    ? undefined
    : await createTestRole().catch(async (e: unknown) => {
        await database.drop();
        throw e;
      });
const app = role?.name ?? '';

afterAll(async () => {
  try {
    await database?.drop(); // the role's privileges in it go with the database
  } finally {
    await role?.drop();
  }
});

const appUrl = (): string => role!.url(database!.url);

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A statement's failure: SQLSTATE and the PostgreSQL routine that raised it. */
async function failure(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (e) {
    const { code, routine, message } = e as pg.DatabaseError;
    expect(message).not.toMatch(/append-only/);
    return `${code} ${routine}`;
  }
  return 'succeeded';
}

const ownerPool = (schema: string): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: database!.url,
    max: 1,
    types: PG_TYPES,
    options: `-c search_path=${schema}`,
  });
  pool.on('error', () => undefined);
  return pool;
};

const rid = (s: string) => s as RecipientId;
const recipient: Recipient = {
  id: rid('mofa-passport'),
  name: '外務省',
  kind: 'national-agency',
  servedBy: { role: 'national', code: 'jlis' },
};

const reasonOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return isRegistryError(e) ? `${e.code} ${e.reason}` : String(e);
  }
  return 'opened';
};

describe.skipIf(database === undefined)('PostgreSQL least privilege: owner and app role', () => {
  it('R23: the app role appends to the access log but may not change, remove, untrigger it', async () => {
    const done = await migratePostgresStore(database!.url, { schema: 'node_a', appRole: app });
    expect(done.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(done.grant?.appendOnly).toEqual([...APPEND_ONLY_TABLES].sort());
    expect(done.grant?.readWrite).toContain('identity');
    expect(done.grant?.warnings).toEqual([]);

    const log = await openAccessLogStore(appUrl(), { schema: 'node_a' });
    const records = await log.append([sampleEntry(1), sampleEntry(2)], sha256);
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    expect(await log.last()).toEqual(records[1]);
    const sealed = await log.addSeal({
      seq: 1,
      uptoSeq: 2,
      hash: records[1]!.hash,
      at: '2026-11-24T06:00:00.000Z',
      node: 'prefecture:13',
      certFingerprint: 'cd'.repeat(32),
      signature: 'MEUCIQ' + 'A'.repeat(90),
    });
    expect(sealed).toBe(true);
    await log.close();

    const raw = new pg.Client({ connectionString: appUrl(), options: '-c search_path=node_a' });
    await raw.connect();
    try {
      const denied = '42501 aclcheck_error'; // permission, not the trigger (exec_stmt_raise)
      for (const table of APPEND_ONLY_TABLES) {
        expect(await failure(raw, `UPDATE ${table} SET seq = seq`)).toBe(denied);
        expect(await failure(raw, `DELETE FROM ${table}`)).toBe(denied);
        expect(await failure(raw, `TRUNCATE ${table}`)).toBe(denied);
        expect(await failure(raw, `ALTER TABLE ${table} DISABLE TRIGGER ALL`)).toBe(denied);
      }
      expect(await failure(raw, 'DROP TRIGGER access_log_no_change ON access_log')).toBe(denied);
      expect(await failure(raw, 'DROP TRIGGER access_log_seal_no_change ON access_log_seal')).toBe(
        denied,
      );
      expect(await failure(raw, 'DROP TABLE access_log')).toBe(denied);
      expect(
        await failure(
          raw,
          'CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
        ),
      ).toBe(denied);
      expect(await failure(raw, 'CREATE TABLE node_a.evil (x int)')).toBe(denied);
      const n = await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM access_log');
      expect(n.rows[0]!.n).toBe(2);
    } finally {
      await raw.end();
    }

    // The owner is stopped by the trigger only (it could drop it): the difference the grant makes.
    await admin(database!.url, async (c) => {
      await c.query('SET search_path = node_a');
      const e = await c.query('DELETE FROM access_log').catch((err: unknown) => err);
      expect(e).toMatchObject({ code: '42501', routine: 'exec_stmt_raise' });
    });
  });

  it('the append-only tables are exactly the tables that carry triggers', async () => {
    const { rows } = await admin(database!.url, (c) =>
      c.query<{ table: string }>(
        `SELECT DISTINCT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'node_a' AND NOT t.tgisinternal ORDER BY 1`,
      ),
    );
    expect(rows.map((r) => r.table)).toEqual([...APPEND_ONLY_TABLES].sort());
  });

  it('the other stores work as the app role: identity, provision, operators', async () => {
    const identity = await openIdentityStore(appUrl(), { schema: 'node_a' });
    const provision = await openProvisionStore(appUrl(), { schema: 'node_a' });
    const operators = await openOperatorStore(appUrl(), { schema: 'node_a' });
    try {
      const outcome = await identity.applyChange(moveIn(person(1), date('2020-04-01')), {
        today: date('2024-04-01'),
        outbox: true,
      });
      expect(outcome.status).toBe('applied');
      expect((await identity.getIdentity(residentCode(1))).name).toEqual(person(1).name);
      await provision.registerRecipient(recipient);
      expect((await provision.listRecipients()).map((r) => r.id)).toEqual([recipient.id]);
      await operators.grant(contractGrant());
      expect((await operators.find('admin-1'))?.name).toBe(contractGrant().name);
    } finally {
      await identity.close();
      await provision.close();
      await operators.close();
    }
  });

  it('a node as the app role never migrates: a schema behind, empty or missing is refused', async () => {
    const pool = ownerPool('node_b');
    try {
      await applyPostgresMigrations(pool, { schema: 'node_b', migrations: MIGRATIONS.slice(0, 9) });
      await grantPostgresAppRole(pool, { appRole: app, schema: 'node_b' });
      const error = await openIdentityStore(appUrl(), { schema: 'node_b' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SchemaBehindError);
      expect(error).toMatchObject({
        code: 'conflict',
        reason: 'storage.schema-behind',
        databaseVersion: 9,
        knownVersion: MIGRATIONS.length,
        role: app,
      });
      const still = await pool.query<{ v: number }>(
        'SELECT max(version) AS v FROM schema_migrations',
      );
      expect(still.rows[0]!.v).toBe(9);
    } finally {
      await pool.end();
    }
    await admin(database!.url, (c) =>
      c.query(`CREATE SCHEMA node_d; GRANT USAGE ON SCHEMA node_d TO ${app}`),
    );
    expect(await reasonOf(openAccessLogStore(appUrl(), { schema: 'node_d' }))).toBe(
      'conflict storage.schema-behind',
    );
    expect(await reasonOf(openAccessLogStore(appUrl(), { schema: 'node_missing' }))).toBe(
      'conflict storage.schema-behind',
    );
    const tables = await admin(database!.url, (c) =>
      c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('node_d', 'node_missing')",
      ),
    );
    expect(tables.rows[0]!.n).toBe(0);
    // Migrated but never granted: refused before any write, with what to run.
    await migratePostgresStore(database!.url, { schema: 'node_e' });
    expect(await reasonOf(openAccessLogStore(appUrl(), { schema: 'node_e' }))).toBe(
      'forbidden storage.role-not-granted',
    );
  });

  it('grant refuses a role that is missing, not plain, or owns something', async () => {
    const missing = `${app}_none`;
    expect(
      await reasonOf(migratePostgresStore(database!.url, { schema: 'node_f', appRole: missing })),
    ).toBe('not-found storage.app-role-missing');
    expect(
      await reasonOf(migratePostgresStore(database!.url, { schema: 'node_f', appRole: 'A; x' })),
    ).toBe('invalid store.role-name');
    await admin(database!.url, (c) =>
      c.query(`CREATE TABLE node_f.mine (x int); ALTER TABLE node_f.mine OWNER TO ${app}`),
    );
    expect(
      await reasonOf(migratePostgresStore(database!.url, { schema: 'node_f', appRole: app })),
    ).toBe('forbidden storage.app-role-owns');
    await admin(database!.url, (c) => c.query('DROP TABLE node_f.mine'));
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeIdentityStoreContract } from '../contract.ts';
import { date, moveIn, person, residentCode } from '../contract-fixtures.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../migrations/migrations.ts';
import { SchemaTooNewError } from '../migrations/plan-migrations.ts';
import { openIdentityStore } from '../open-store.ts';
import { storeSelected } from '../postgres/test-database.ts';
import { SqliteIdentityStore } from './sqlite-identity-store.ts';
import { LOOKUP_BY_RESIDENT_CODE_SQL } from './sqlite-sql.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-sqlite-'));
  dirs.push(dir);
  return join(dir, 'store.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite store', () => {
  describeIdentityStoreContract('SqliteIdentityStore', () => {
    const file = tempFile();
    const store = SqliteIdentityStore.open(file);
    // A separate, read-only connection: counts what is really in the file, not what the port says.
    const raw = new Database(file, { readonly: true });
    return Promise.resolve({
      store,
      countRows: (table) =>
        Promise.resolve(
          raw.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0,
        ),
      cleanup: async () => {
        raw.close();
        await store.close();
      },
    });
  });

  it('opens with WAL, synchronous=NORMAL and foreign keys on', async () => {
    const store = SqliteIdentityStore.open(tempFile());
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 'normal',
      foreignKeys: true,
    });
    await store.close();
  });

  it('migrations: applied once, recorded, idempotent on reopen', async () => {
    const file = tempFile();
    await (await openIdentityStore(`sqlite:${file}`)).close();
    await (await openIdentityStore(file)).close();
    const raw = new Database(file);
    const rows = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    raw.close();
  });

  it('migrations: refuses a database whose schema is newer than this code (typed error)', async () => {
    const file = tempFile();
    await (await openIdentityStore(`sqlite:${file}`)).close();
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)')
      .run(LATEST_SCHEMA_VERSION + 1, 'from-the-future');
    raw.close();
    const error = await openIdentityStore(`sqlite:${file}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({
      code: 'conflict',
      reason: 'storage.schema-too-new',
      databaseVersion: LATEST_SCHEMA_VERSION + 1,
    });
  });

  it('R1: a committed change is in the file: another connection sees it, and a reopened store too', async () => {
    const file = tempFile();
    const store = await openIdentityStore(`sqlite:${file}`);
    await store.applyChange(moveIn(person(1), date('2020-04-01')), { today: date('2024-04-01') });
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare(LOOKUP_BY_RESIDENT_CODE_SQL).get(residentCode(1))).toMatchObject({
      resident_code: residentCode(1),
    });
    raw.close();
    await store.close();
    const reopened = await openIdentityStore(`sqlite:${file}`);
    expect((await reopened.getIdentity(residentCode(1))).version).toBe(1);
    await reopened.close();
  });

  it('R19: a writer in another process holding the lock makes a change wait, then fail as unavailable', async () => {
    const file = tempFile();
    const store = SqliteIdentityStore.open(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const event = moveIn(person(2), date('2020-04-01'));
    const error = await store
      .applyChange(event, { today: date('2024-04-01') })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'storage.busy' });
    other.exec('ROLLBACK');
    other.close();
    expect((await store.applyChange(event, { today: date('2024-04-01') })).status).toBe('applied');
    await store.close();
  });

  it('a file in a missing directory is RegistryError(unavailable)', async () => {
    const error = await openIdentityStore(`sqlite:${join(tempFile(), 'no', 'such.sqlite')}`).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'unavailable', reason: 'storage.unreachable' });
  });

  it('sqlite::memory: opens an empty, migrated store', async () => {
    const store = await openIdentityStore('sqlite::memory:');
    expect(await store.countIdentities()).toBe(0);
    await store.close();
  });
});

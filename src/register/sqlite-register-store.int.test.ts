import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MUNICIPALITY, TODAY, moveInForm } from '../domain/register/register.fixtures.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import { openRegisterStore } from './open-register.ts';
import { describeRegisterStoreContract } from './contract.ts';
import { REGISTER_MIGRATIONS } from './register-migrations.ts';
import { SqliteRegisterStore } from './sqlite-register-store.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'jukinet-register-'));

describeRegisterStoreContract('SqliteRegisterStore', () => {
  const dir = tempDir();
  const path = join(dir, 'register.sqlite');
  const store = SqliteRegisterStore.open(path, { municipality: MUNICIPALITY });
  const raw = new Database(path, { readonly: true });
  return Promise.resolve({
    store,
    // async: the store throws synchronously, the harness promises a rejection
    open: (options) => Promise.resolve().then(() => SqliteRegisterStore.open(path, options)),
    countRows: (table) =>
      Promise.resolve((raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n),
    cleanup: async () => {
      raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('SQLite register', () => {
  it('migrations: its own list, recorded once; a CS store’s database is refused as a register and the reverse', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'register.sqlite');
      await (await openRegisterStore(`sqlite:${path}`, { municipality: MUNICIPALITY })).close();
      await (await openRegisterStore(`sqlite:${path}`)).close();
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
        REGISTER_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      );
      raw.close();
      await expect(openIdentityStore(`sqlite:${path}`)).rejects.toMatchObject({
        reason: 'storage.schema-mismatch',
      });
      const csPath = join(dir, 'cs.sqlite');
      await (await openIdentityStore(`sqlite:${csPath}`)).close();
      await expect(openRegisterStore(`sqlite:${csPath}`)).rejects.toMatchObject({
        code: 'conflict',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a register opened without its 団体コード refuses counter operations until it has one', async () => {
    const store = await openRegisterStore('sqlite::memory:');
    expect(store.municipality).toBeUndefined();
    await expect(
      store.perform({ reason: 'move-in', form: moveInForm() }, { today: TODAY }),
    ).rejects.toMatchObject({ code: 'invalid', reason: 'register.not-initialised' });
    await store.close();
  });
});

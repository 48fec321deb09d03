import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { contractGrant, describeOperatorStoreContract } from './contract-operator.ts';
import { openIdentityStore, openOperatorStore } from './open-store.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-operators-'));
  dirs.push(dir);
  return join(dir, 'node.sqlite');
};

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeOperatorStoreContract('SqliteOperatorStore', async () => {
    const store = await openOperatorStore(`sqlite:${tempFile()}`);
    return { store, cleanup: () => store.close() };
  });

  it('R31: the register lives in the node’s file beside its identity store and survives reopening; its history cannot be changed', async () => {
    const file = tempFile();
    const identities = await openIdentityStore(`sqlite:${file}`);
    const operators = await openOperatorStore(`sqlite:${file}`);
    await operators.grant(contractGrant());
    await operators.close();
    expect(await identities.countIdentities()).toBe(0);
    await identities.close();
    const reopened = await openOperatorStore(`sqlite:${file}`);
    expect((await reopened.find('admin-1'))?.cardType).toBe('administrator');
    await reopened.close();
    const raw = new Database(file);
    expect(() => raw.prepare('DELETE FROM operator_event').run()).toThrow(/append-only/);
    expect(() => raw.prepare("UPDATE operator_event SET by_operator = 'x'").run()).toThrow(
      /append-only/,
    );
    raw.close();
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_operators')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;

describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeOperatorStoreContract('PostgresOperatorStore', async () => {
    const store = await openOperatorStore(database!.url, { schema: `operators${++schemas}` });
    return { store, cleanup: () => store.close() };
  });

  it('R31: the history cannot be changed, and concurrent bootstraps make one administrator', async () => {
    const schema = `operators${++schemas}`;
    const a = await openOperatorStore(database!.url, { schema });
    const b = await openOperatorStore(database!.url, { schema });
    const results = await Promise.allSettled([
      a.grant(contractGrant({ id: 'admin-a' })),
      b.grant(contractGrant({ id: 'admin-b' })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await a.list({ includeRevoked: true })).toHaveLength(1);
    await a.close();
    await b.close();
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      await client.query(`SET search_path = ${schema}`);
      await expect(client.query('DELETE FROM operator_event')).rejects.toThrow(/append-only/);
      await expect(client.query("UPDATE operator_event SET by_operator = 'x'")).rejects.toThrow(
        /append-only/,
      );
    } finally {
      await client.end();
    }
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { planSearch } from '../domain/provision/search-rules.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { loadedRecord, residentCode } from './contract-fixtures.ts';
import { describeMediaOutputContract } from './contract-media-output.ts';
import { describeDisclosureSyncContract, reopenable } from './contract-disclosure-sync.ts';
import { describeProvisionStoreContract } from './contract-provision.ts';
import { openIdentityStore, openProvisionStore } from './open-store.ts';
import type { IdentityStore } from './ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-provision-'));
  dirs.push(dir);
  return join(dir, 'node.sqlite');
};

const table = loadLocalGovernmentTable();
const plan = planSearch(
  { affairId: '別表第一:七十七', name: loadedRecord(1).name.kanji, birthDate: '1980-04-02' },
  { channel: 'immediate', table },
);
if ('ok' in plan) throw new Error(plan.reason);
const found = async (store: IdentityStore) =>
  (await store.searchIdentities(plan, 10)).map((r) => r.residentCode);

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeProvisionStoreContract('SqliteProvisionStore', async () => {
    const store = await openProvisionStore(`sqlite:${tempFile()}`);
    return { store, cleanup: () => store.close() };
  });
  describeMediaOutputContract('SqliteProvisionStore', async () => {
    const store = await openProvisionStore(`sqlite:${tempFile()}`);
    return { store, cleanup: () => store.close() };
  });
  describeDisclosureSyncContract('SqliteProvisionStore', () => {
    const file = tempFile();
    return reopenable(() => openProvisionStore(`sqlite:${file}`));
  });

  it('migration 5: rows written before it (keys NULL) get their search keys when the store opens', async () => {
    const file = tempFile();
    const store = await openIdentityStore(`sqlite:${file}`);
    await store.loadBatch([{ line: 1, record: loadedRecord(1) }]);
    await store.close();
    const raw = new Database(file);
    raw.exec('UPDATE identity SET name_key = NULL, kana_key = NULL, address_key = NULL');
    raw.close();
    const reopened = await openIdentityStore(`sqlite:${file}`);
    expect(await found(reopened)).toEqual([residentCode(1)]);
    await reopened.close();
  });

  it('the provision store shares the node’s file with the identity store', async () => {
    const file = tempFile();
    const identities = await openIdentityStore(`sqlite:${file}`);
    const provisions = await openProvisionStore(file);
    expect(await provisions.listRecipients()).toEqual([]);
    expect(await identities.countIdentities()).toBe(0);
    await provisions.close();
    await identities.close();
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_provision')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;

describe.skipIf(database === undefined)('PostgreSQL', () => {
  const url = database?.url ?? '';
  describeProvisionStoreContract('PostgresProvisionStore', async () => {
    const schema = `provision${++schemas}`;
    const store = await openProvisionStore(url, { schema });
    return { store, cleanup: () => store.close() };
  });
  describeMediaOutputContract('PostgresProvisionStore', async () => {
    const schema = `provision${++schemas}`;
    const store = await openProvisionStore(url, { schema });
    return { store, cleanup: () => store.close() };
  });
  describeDisclosureSyncContract('PostgresProvisionStore', () => {
    const schema = `provision${++schemas}`;
    return reopenable(() => openProvisionStore(url, { schema }));
  });

  it('migration 5: rows written before it (keys NULL) get their search keys when the store opens', async () => {
    const schema = `backfill${++schemas}`;
    const store = await openIdentityStore(url, { schema });
    await store.loadBatch([{ line: 1, record: loadedRecord(1) }]);
    await store.close();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    await raw.query(
      `UPDATE ${schema}.identity SET name_key = NULL, kana_key = NULL, address_key = NULL`,
    );
    await raw.end();
    const reopened = await openIdentityStore(url, { schema });
    expect(await found(reopened)).toEqual([residentCode(1)]);
    await reopened.close();
  });
});

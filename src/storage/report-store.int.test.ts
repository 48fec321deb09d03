import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contractRequest, describeReportStoreContract } from './contract-report.ts';
import { openIdentityStore, openReportStore } from './open-store.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-reports-'));
  dirs.push(dir);
  return join(dir, 'node.sqlite');
};

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeReportStoreContract('SqliteReportStore', async () => {
    const store = await openReportStore(`sqlite:${tempFile()}`);
    return { store, cleanup: () => store.close() };
  });

  it('R6: the report records live in the node’s file beside its identity store, and survive reopening', async () => {
    const file = tempFile();
    const identities = await openIdentityStore(`sqlite:${file}`);
    const reports = await openReportStore(`sqlite:${file}`);
    const r = contractRequest(1);
    await reports.recordRequest(
      r,
      { at: r.requestedAt, via: 'origin', from: undefined },
      undefined,
    );
    await reports.close();
    expect(await identities.countIdentities()).toBe(0);
    await identities.close();
    const reopened = await openReportStore(`sqlite:${file}`);
    expect((await reopened.report(r.id))?.request).toEqual(r);
    await reopened.close();
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_reports')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;

describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeReportStoreContract('PostgresReportStore', async () => {
    const store = await openReportStore(database!.url, { schema: `reports${++schemas}` });
    return { store, cleanup: () => store.close() };
  });
});

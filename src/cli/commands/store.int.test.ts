import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../audit/seal-key.ts';
import { sampleEntry } from '../../audit/test-log.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { createTestDatabaseOrSkip, storeSelected } from '../../storage/postgres/test-database.ts';
import { createTestRole, type TestRole } from '../../storage/postgres/test-role.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_store_cli')
  : undefined;
const role: TestRole | undefined =
  database === undefined
    ? undefined
    : await createTestRole().catch(async (e: unknown) => {
        await database.drop();
        throw e;
      });

afterAll(async () => {
  try {
    await database?.drop();
  } finally {
    await role?.drop();
  }
});

describe('juki store', () => {
  it('refuses SQLite (no roles) and a grant without --app-role', async () => {
    const io = captureIO();
    expect(
      await main(['store', 'grant', '--store', 'sqlite::memory:', '--app-role', 'x'], io),
    ).toBe(1);
    expect(io.stderr()).toContain('store.not-postgres');
    const usage = captureIO();
    expect(await main(['store', 'grant', '--store', 'postgres://h/db'], usage)).toBe(2);
    expect(usage.stderr()).toContain('--app-role is required');
  });

  it.skipIf(database === undefined)(
    'grant migrates as the owner, grants the app role, and is safe to run again',
    async () => {
      const args = ['store', 'grant', '--store', database!.url, '--app-role', role!.name];
      const first = captureIO();
      expect(await main([...args, '--schema', 'node_g'], first)).toBe(0);
      expect(first.stdout()).toContain('applied migrations 1, 2,');
      expect(first.stdout()).toContain(
        'SELECT, INSERT only (append-only): access_log, access_log_seal, audit_anchor, operator_event',
      );
      const again = captureIO();
      expect(await main([...args, '--schema', 'node_g', '--json'], again)).toBe(0);
      expect(JSON.parse(again.stdout())).toMatchObject({
        applied: [],
        grant: { schema: 'node_g', appRole: role!.name, warnings: [] },
      });
      const migrate = captureIO();
      expect(
        await main(['store', 'migrate', '--store', database!.url, '--schema', 'node_g'], migrate),
      ).toBe(0);
      expect(migrate.stdout()).toContain('schema up to date');
      const log = await openAccessLogStore(role!.url(database!.url), { schema: 'node_g' });
      try {
        await log.append([sampleEntry(1)], sha256);
        expect((await log.last())?.seq).toBe(1);
      } finally {
        await log.close();
      }
    },
  );

  it.skipIf(database === undefined)(
    'migrate as the app role is refused: the schema is behind and it is not the owner',
    async () => {
      const io = captureIO();
      const url = role!.url(database!.url);
      expect(await main(['store', 'migrate', '--store', url, '--schema', 'node_h'], io)).toBe(1);
      expect(io.stderr()).toContain('storage.schema-behind');
      expect(io.stderr()).not.toContain('password');
    },
  );
});

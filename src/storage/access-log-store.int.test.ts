import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../audit/seal-key.ts';
import { rawPostgres, rawSqlite, sampleEntry, type RawDatabase } from '../audit/test-log.ts';
import { verifyAccessLog } from '../audit/verify.ts';
import { GENESIS_HASH, type AccessLogSeal } from '../domain/audit/access-log.ts';
import { isRegistryError } from '../domain/errors.ts';
import { createTestPki } from '../pki/test-pki.ts';
import { openAccessLogStore } from './open-store.ts';
import type { AccessLogStore } from './ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

type Opened = { store: () => Promise<AccessLogStore>; raw: () => Promise<RawDatabase> };

const pki = await createTestPki();
const cert = await pki.issue('prefecture:13');

const seal = (
  over: Partial<AccessLogSeal> & Pick<AccessLogSeal, 'hash' | 'uptoSeq'>,
): AccessLogSeal => ({
  seq: 1,
  at: '2026-11-24T06:00:00.000Z',
  node: 'prefecture:13',
  certFingerprint: 'cd'.repeat(32),
  signature: 'MEUCIQ' + 'A'.repeat(90),
  ...over,
});

function describeAccessLogStore(
  name: string,
  open: () => Opened,
  dialect: 'sqlite' | 'postgres',
): void {
  describe(name, () => {
    it('R23: appends chained records in one transaction, pages by seq, lists newest first by operator', async () => {
      const { store: openStore } = open();
      const store = await openStore();
      expect(await store.last()).toBeUndefined();
      const first = await store.append([sampleEntry(1), sampleEntry(2)], sha256);
      expect(first.map((r) => r.seq)).toEqual([1, 2]);
      expect(first[0]!.prevHash).toBe(GENESIS_HASH);
      expect(first[1]!.prevHash).toBe(first[0]!.hash);
      const more = await store.append(
        [3, 4, 5, 6].map((n) => sampleEntry(n)),
        sha256,
      );
      expect(more[0]!.prevHash).toBe(first[1]!.hash);
      expect(await store.last()).toEqual(more.at(-1));
      expect(await store.page(0, 4)).toEqual([...first, ...more.slice(0, 2)]);
      expect((await store.page(4, 10)).map((r) => r.seq)).toEqual([5, 6]);
      expect((await store.list({ limit: 3 })).map((r) => r.seq)).toEqual([6, 5, 4]);
      expect((await store.list({ limit: 2, beforeSeq: 4 })).map((r) => r.seq)).toEqual([3, 2]);
      const clerk1 = await store.list({ limit: 10, operator: 'clerk-1' });
      expect(clerk1.map((r) => r.seq)).toEqual([4, 1]);
      expect(clerk1[0]).toMatchObject({
        purpose: 'affair-4',
        result: 'refused',
        reason: 'provision.not-permitted',
      });
      expect(clerk1[1]).not.toHaveProperty('purpose');
      await store.close();
    });

    it('R23: refuses a malformed entry and stores nothing of its batch', async () => {
      const store = await open().store();
      let reason: string | undefined;
      try {
        await store.append([sampleEntry(1), sampleEntry(2, { target: '山田 太郎' })], sha256);
      } catch (e) {
        reason = isRegistryError(e) ? e.reason : String(e);
      }
      expect(reason).toBe('audit.target');
      expect(await store.last()).toBeUndefined();
      await store.close();
    });

    it('R23: stores a seal only as the next seal of a stored record hash', async () => {
      const store = await open().store();
      const records = await store.append(
        [1, 2, 3, 4].map((n) => sampleEntry(n)),
        sha256,
      );
      expect(await store.addSeal(seal({ seq: 2, uptoSeq: 2, hash: records[1]!.hash }))).toBe(false);
      expect(await store.addSeal(seal({ uptoSeq: 2, hash: records[0]!.hash }))).toBe(false);
      expect(await store.addSeal(seal({ uptoSeq: 9, hash: records[0]!.hash }))).toBe(false);
      const s1 = seal({ uptoSeq: 2, hash: records[1]!.hash });
      expect(await store.addSeal(s1)).toBe(true);
      expect(await store.addSeal(seal({ seq: 2, uptoSeq: 2, hash: records[1]!.hash }))).toBe(false);
      const s2 = seal({ seq: 2, uptoSeq: 4, hash: records[3]!.hash });
      expect(await store.addSeal(s2)).toBe(true);
      expect(await store.lastSeal()).toEqual(s2);
      expect(await store.seals(0, 10)).toEqual([s1, s2]);
      expect(await store.seals(1, 10)).toEqual([s2]);
      await store.close();
    });

    it(
      'R23: the database itself refuses UPDATE and DELETE of log and seal rows' +
        (dialect === 'postgres' ? ', and TRUNCATE' : ''),
      async () => {
        const opened = open();
        const store = await opened.store();
        const records = await store.append([sampleEntry(1), sampleEntry(2)], sha256);
        await store.addSeal(seal({ uptoSeq: 2, hash: records[1]!.hash }));
        const raw = await opened.raw();
        const attempts = [
          "UPDATE access_log SET target = 'x' WHERE seq = 1",
          'DELETE FROM access_log WHERE seq = 2',
          "UPDATE access_log_seal SET at = 'x'",
          'DELETE FROM access_log_seal',
          ...(dialect === 'postgres' ? ['TRUNCATE access_log', 'TRUNCATE access_log_seal'] : []),
        ];
        for (const sql of attempts) await expect(raw.run(sql), sql).rejects.toThrow(/append-only/);
        await raw.close();
        expect(await store.page(0, 10)).toEqual(records);
        expect(await store.seals(0, 10)).toHaveLength(1);
        await store.close();
      },
    );

    it('R23: concurrent appenders (two stores) keep one chain', async () => {
      const opened = open();
      const [a, b] = [await opened.store(), await opened.store()];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).append(
            [sampleEntry(i * 3 + 1), sampleEntry(i * 3 + 2), sampleEntry(i * 3 + 3)],
            sha256,
          ),
        ),
      );
      const report = await verifyAccessLog(a, cert.certPem, { pageSize: 7 });
      expect(report).toMatchObject({ ok: true, records: 120, lastSeq: 120, problem: undefined });
      await Promise.all([a.close(), b.close()]);
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeAccessLogStore(
    'SqliteAccessLogStore',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'jukinet-access-log-'));
      dirs.push(dir);
      const file = join(dir, 'node.sqlite');
      return {
        store: () => openAccessLogStore(`sqlite:${file}`),
        raw: () => Promise.resolve(rawSqlite(file)),
      };
    },
    'sqlite',
  );
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_access_log')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeAccessLogStore(
    'PostgresAccessLogStore',
    () => {
      const schema = `access_log${++schemas}`;
      return {
        store: () => openAccessLogStore(database!.url, { schema }),
        raw: () => rawPostgres(database!.url, schema),
      };
    },
    'postgres',
  );
});

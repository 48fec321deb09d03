import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordHash } from '../domain/audit/canonical.ts';
import type { AccessRecord } from '../domain/audit/access-log.ts';
import { createTestPki } from '../pki/test-pki.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from '../storage/postgres/test-database.ts';
import { AccessLog } from './access-log.ts';
import { sealKey, sha256, signSeal } from './seal-key.ts';
import { rawPostgres, rawSqlite, sampleEntry, type RawDatabase } from './test-log.ts';
import { verifyAccessLog } from './verify.ts';

const pki = await createTestPki();
const ours = await pki.issue('prefecture:13');
const other = await pki.issue('prefecture:14');
const key = sealKey(ours.certPem, ours.keyPem);
const otherKey = sealKey(other.certPem, other.keyPem);
const NOW = '2026-11-24T06:00:00.000Z';

type Opened = { store: () => Promise<AccessLogStore>; raw: () => Promise<RawDatabase> };

const RECORD_INSERT =
  'INSERT INTO access_log (seq, at, node, operator, operation, target, purpose, result, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const SEAL_INSERT =
  'INSERT INTO access_log_seal (seq, upto_seq, at, node, hash, cert_fingerprint, signature) VALUES (?, ?, ?, ?, ?, ?, ?)';

const values = (r: AccessRecord): unknown[] => [
  r.seq,
  r.at,
  r.node,
  r.operator,
  r.operation,
  r.target,
  r.purpose ?? null,
  r.result,
  r.reason ?? null,
  r.prevHash,
  r.hash,
];

/** A log of 25 records sealed every 10 (seals 1 → record 10, 2 → record 20), and raw access. */
async function setUp(open: () => Opened) {
  const opened = open();
  const store = await opened.store();
  const log = new AccessLog(store, { key, sealEvery: 10, now: () => NOW });
  for (let n = 1; n <= 25; n++) await log.append(sampleEntry(n));
  const records = await store.page(0, 100);
  const raw = await opened.raw();
  await raw.dropTriggers();
  return {
    store,
    log,
    raw,
    records,
    verify: () => verifyAccessLog(store, ours.certPem, { pageSize: 4 }),
    done: async () => {
      await raw.close();
      await store.close();
    },
  };
}

/** Moves records seq ≥ from one place up (descending, so the primary key never collides). */
async function shiftUp(raw: RawDatabase, from: number, to: number): Promise<void> {
  for (let s = to; s >= from; s--)
    await raw.run('UPDATE access_log SET seq = ? WHERE seq = ?', [s + 1, s]);
}

function describeTampering(name: string, open: () => Opened): void {
  describe(name, () => {
    it('R23: a clean log verifies: counts, last seal, the unsealed tail as a warning; sealing clears it', async () => {
      const t = await setUp(open);
      expect(await t.verify()).toMatchObject({
        ok: true,
        records: 25,
        seals: 2,
        lastSeq: 25,
        lastSeal: {
          seq: 2,
          uptoSeq: 20,
          node: 'prefecture:13',
          certFingerprint: key.certFingerprint,
        },
        problem: undefined,
        unsealedTail: { fromSeq: 21, count: 5 },
      });
      expect(await t.log.seal()).toMatchObject({ seq: 3, uptoSeq: 25 });
      expect(await t.log.seal()).toBeUndefined();
      expect(await t.verify()).toMatchObject({ ok: true, seals: 3, unsealedTail: undefined });
      await t.done();
    });

    it('R23: a changed field is `changed` at its record', async () => {
      const t = await setUp(open);
      await t.raw.run("UPDATE access_log SET operator = 'clerk-9' WHERE seq = 7");
      expect((await t.verify()).problem).toMatchObject({ kind: 'changed', seq: 7 });
      await t.done();
    });

    it('R23: a deleted record is `removed` after the record before it', async () => {
      const t = await setUp(open);
      await t.raw.run('DELETE FROM access_log WHERE seq = 7');
      const report = await t.verify();
      expect(report).toMatchObject({ ok: false, records: 6, problem: { kind: 'removed', seq: 6 } });
      expect(report.problem!.detail).toContain('records 7–7 after record 6');
      await t.done();
    });

    it('R23: a removed tail the seals covered is `removed`; a removed seal is `seal-invalid`', async () => {
      const t = await setUp(open);
      await t.raw.run('DELETE FROM access_log WHERE seq > 15');
      expect((await t.verify()).problem).toMatchObject({ kind: 'removed', seq: 15, sealSeq: 2 });
      await t.raw.run('DELETE FROM access_log_seal WHERE seq = 1');
      expect((await t.verify()).problem).toMatchObject({ kind: 'seal-invalid', sealSeq: 2 });
      await t.done();
    });

    it('R23: two records swapped (their seqs or their contents) are `reordered`', async () => {
      const t = await setUp(open);
      await t.raw.run('UPDATE access_log SET seq = -5 WHERE seq = 5');
      await t.raw.run('UPDATE access_log SET seq = 5 WHERE seq = 6');
      await t.raw.run('UPDATE access_log SET seq = 6 WHERE seq = -5');
      expect((await t.verify()).problem).toMatchObject({ kind: 'reordered', seq: 5 });
      await t.done();
    });

    it('R23: records swapped far apart are `reordered` at the first', async () => {
      const t = await setUp(open);
      await t.raw.run('UPDATE access_log SET seq = -3 WHERE seq = 3');
      await t.raw.run('UPDATE access_log SET seq = 3 WHERE seq = 12');
      await t.raw.run('UPDATE access_log SET seq = 12 WHERE seq = -3');
      expect((await t.verify()).problem).toMatchObject({ kind: 'reordered', seq: 3 });
      await t.done();
    });

    it('R23: a forged record inserted in the middle (hash right, later records renumbered) is `inserted`', async () => {
      const t = await setUp(open);
      await shiftUp(t.raw, 4, 25);
      const forged = sampleEntry(99, { operator: 'clerk-1', target: 'resident-99' });
      const prevHash = t.records[2]!.hash;
      const row: AccessRecord = {
        seq: 4,
        ...forged,
        prevHash,
        hash: recordHash({ ...forged, prevHash }, sha256),
      };
      await t.raw.run(RECORD_INSERT, values(row));
      expect((await t.verify()).problem).toMatchObject({ kind: 'inserted', seq: 4 });
      await t.done();
    });

    it('R23: a forged record with a made-up hash, in the middle or at the end, is `inserted`', async () => {
      const t = await setUp(open);
      const forged = { ...t.records[8]!, target: 'resident-x', hash: 'ee'.repeat(32) };
      await t.raw.run(RECORD_INSERT, values({ ...forged, seq: 26, prevHash: 'aa'.repeat(32) }));
      expect((await t.verify()).problem).toMatchObject({ kind: 'inserted', seq: 26 });
      await t.raw.run('DELETE FROM access_log WHERE seq = 26');
      await shiftUp(t.raw, 9, 25);
      await t.raw.run(RECORD_INSERT, values({ ...forged, seq: 9 }));
      expect((await t.verify()).problem).toMatchObject({ kind: 'inserted', seq: 9 });
      await t.done();
    });

    it('R23: a record rewritten with its hash recomputed breaks the chain; rewriting the rest of the chain breaks the seal', async () => {
      const t = await setUp(open);
      const r8 = t.records[7]!;
      const changed = { ...r8, target: 'resident-other' };
      const hash8 = recordHash(changed, sha256);
      await t.raw.run('UPDATE access_log SET target = ?, hash = ? WHERE seq = 8', [
        changed.target,
        hash8,
      ]);
      expect((await t.verify()).problem).toMatchObject({ kind: 'reordered', seq: 9 });
      let prevHash = hash8;
      for (const r of t.records.slice(8)) {
        const hash = recordHash({ ...r, prevHash }, sha256);
        await t.raw.run('UPDATE access_log SET prev_hash = ?, hash = ? WHERE seq = ?', [
          prevHash,
          hash,
          r.seq,
        ]);
        prevHash = hash;
      }
      expect((await t.verify()).problem).toMatchObject({
        kind: 'seal-invalid',
        seq: 10,
        sealSeq: 1,
      });
      await t.done();
    });

    it('R23: a seal forged with another node’s key is `seal-invalid`, whatever fingerprint it claims', async () => {
      const t = await setUp(open);
      const last = t.records[24]!;
      const draft = {
        seq: 3,
        uptoSeq: 25,
        at: NOW,
        node: 'prefecture:14',
        hash: last.hash,
        certFingerprint: otherKey.certFingerprint,
      };
      await t.raw.run(SEAL_INSERT, [
        3,
        25,
        NOW,
        draft.node,
        last.hash,
        draft.certFingerprint,
        await signSeal(draft, otherKey),
      ]);
      const report = await t.verify();
      expect(report.problem).toMatchObject({ kind: 'seal-invalid', seq: 25, sealSeq: 3 });
      expect(report.problem!.detail).toContain('certificate not given');
      const claimed = { ...draft, node: 'prefecture:13', certFingerprint: key.certFingerprint };
      await t.raw.run('DELETE FROM access_log_seal WHERE seq = 3');
      await t.raw.run(SEAL_INSERT, [
        3,
        25,
        NOW,
        claimed.node,
        last.hash,
        claimed.certFingerprint,
        await signSeal(claimed, otherKey),
      ]);
      expect((await t.verify()).problem).toMatchObject({ kind: 'seal-invalid', sealSeq: 3 });
      expect((await t.verify()).problem!.detail).toContain('signature does not verify');
      await t.done();
    });

    it('R23: seals by an earlier certificate of the node verify when that certificate is given', async () => {
      const t = await setUp(open);
      const renewed = await pki.issue('prefecture:13');
      const log = new AccessLog(t.store, {
        key: sealKey(renewed.certPem, renewed.keyPem),
        sealEvery: 10,
        now: () => NOW,
      });
      await log.append([26, 27].map((n) => sampleEntry(n)));
      await log.seal();
      expect((await verifyAccessLog(t.store, renewed.certPem)).problem).toMatchObject({
        kind: 'seal-invalid',
        sealSeq: 1,
      });
      expect(await verifyAccessLog(t.store, [renewed.certPem, ours.certPem])).toMatchObject({
        ok: true,
        seals: 3,
        records: 27,
      });
      await t.done();
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite file in the attacker’s hands', () => {
  describeTampering('verify (SQLite)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-audit-'));
    dirs.push(dir);
    const file = join(dir, 'node.sqlite');
    return {
      store: () => openAccessLogStore(`sqlite:${file}`),
      raw: () => Promise.resolve(rawSqlite(file)),
    };
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_audit')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL superuser', () => {
  describeTampering('verify (PostgreSQL)', () => {
    const schema = `audit${++schemas}`;
    return {
      store: () => openAccessLogStore(database!.url, { schema }),
      raw: () => rawPostgres(database!.url, schema),
    };
  });
});

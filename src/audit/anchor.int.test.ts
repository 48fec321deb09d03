import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessLogSeal } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import { createTestPki } from '../pki/test-pki.ts';
import { openAuditAnchorStore, type AuditAnchorStore } from '../storage/audit-anchor-store.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from '../storage/postgres/test-database.ts';
import { AccessLog } from './access-log.ts';
import { anchorSeals, checkAnchors, parseAnchorsExport } from './anchor.ts';
import { sealKey } from './seal-key.ts';
import { rawPostgres, rawSqlite, sampleEntry, type RawDatabase } from './test-log.ts';
import { verifyAccessLog } from './verify.ts';

/**
 * Anchoring (R23): the upstream node keeps a downstream node's seals only when they verify with
 * the caller's own certificate and name the caller; the same seal again is fine, a different one
 * under an anchored number is refused and reported. Verify with the anchors then catches a log
 * that its own key re-sealed, which plain verify cannot.
 */
const pki = await createTestPki();
const cs = await pki.issue('cs:131016');
const other = await pki.issue('cs:131024');
const csKey = sealKey(cs.certPem, cs.keyPem);
const otherKey = sealKey(other.certPem, other.keyPem);
const CALLER = { node: 'cs:131016', certificate: cs.certPem };

type Opened = {
  anchors: () => Promise<AuditAnchorStore>;
  log: () => Promise<AccessLogStore>;
  raw: () => Promise<RawDatabase>;
};

/** A CS log of 25 records sealed every 10, and its seals. */
async function sealedLog(store: AccessLogStore, key = csKey) {
  const log = new AccessLog(store, { key, sealEvery: 10, now: () => '2026-11-24T06:00:00.000Z' });
  for (let n = 1; n <= 25; n++) await log.append(sampleEntry(n, { node: key.node }));
  return store.seals(0, 100);
}

const refusal = async (p: Promise<unknown>): Promise<RegistryError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return e as RegistryError;
  }
  throw new Error('expected a refusal');
};

function describeAnchors(name: string, open: () => Opened): void {
  describe(name, () => {
    it('R23: keeps a node’s seals; the same seals again are duplicates, not errors', async () => {
      const o = open();
      const log = await o.log();
      const anchors = await o.anchors();
      const seals = await sealedLog(log);
      expect(seals).toHaveLength(2);
      expect(await anchorSeals(anchors, CALLER, seals)).toEqual({
        anchored: 2,
        duplicates: 0,
        uptoSeal: 2,
      });
      expect(await anchorSeals(anchors, CALLER, seals)).toEqual({
        anchored: 0,
        duplicates: 2,
        uptoSeal: 2,
      });
      const kept = await anchors.anchors('cs:131016', 0, 10);
      expect(kept.map((a) => ({ ...a, anchoredAt: 'x' }))).toEqual(
        seals.map((s) => ({ ...s, anchoredAt: 'x' })),
      );
      expect(await anchors.anchors('cs:131024', 0, 10)).toEqual([]);
      await log.close();
      await anchors.close();
    });

    it('the anchoring cursor per upstream only moves forward', async () => {
      const anchors = await open().anchors();
      expect(await anchors.anchorCursor('prefecture:13')).toBe(0);
      await anchors.setAnchorCursor('prefecture:13', 7);
      await anchors.setAnchorCursor('prefecture:13', 3); // a late run does not move it back
      await anchors.setAnchorCursor('national:jlis', 2);
      expect(await anchors.anchorCursor('prefecture:13')).toBe(7);
      expect(await anchors.anchorCursor('national:jlis')).toBe(2);
      await anchors.close();
    });

    it('R23: refuses a seal signed with another node’s key, or naming another node, storing nothing', async () => {
      const o = open();
      const log = await o.log();
      const anchors = await o.anchors();
      const others = await sealedLog(log, otherKey); // cs:131024's seals, its own key
      // the caller cs:131016 sends cs:131024's genuine seals: not its own
      expect(await refusal(anchorSeals(anchors, CALLER, others))).toMatchObject({
        code: 'forbidden',
        reason: 'audit.anchor-node',
      });
      // a seal naming cs:131016 but signed with cs:131024's key
      const forged: AccessLogSeal = { ...others[0]!, node: 'cs:131016' };
      expect(await refusal(anchorSeals(anchors, CALLER, [forged]))).toMatchObject({
        code: 'invalid',
        reason: 'audit.anchor-signature',
      });
      // a seal of cs:131016's fingerprint whose signature does not verify
      const bad: AccessLogSeal = { ...forged, certFingerprint: csKey.certFingerprint };
      expect(await refusal(anchorSeals(anchors, CALLER, [bad]))).toMatchObject({
        reason: 'audit.anchor-signature',
      });
      expect(await anchors.lastAnchoredSeal('cs:131016')).toBe(0);
      expect(await anchors.lastAnchoredSeal('cs:131024')).toBe(0);
      await log.close();
      await anchors.close();
    });

    it('R23: a different seal under an anchored number is refused and reported; verify with the anchors catches the re-sealed log', async () => {
      const o = open();
      const log = await o.log();
      const anchors = await o.anchors();
      const seals = await sealedLog(log);
      await anchorSeals(anchors, CALLER, seals);

      // the insider: rewrites record 5, recomputes the chain, drops the seals and seals again
      // with the node's own key
      const raw = await o.raw();
      await raw.dropTriggers();
      const records = await log.page(0, 100);
      await raw.run('DELETE FROM access_log_seal');
      await raw.run('DELETE FROM access_log');
      const again = new AccessLog(log, {
        key: csKey,
        sealEvery: 10,
        now: () => '2026-11-25T06:00:00.000Z',
      });
      for (const r of records)
        await again.append({
          ...sampleEntry(r.seq, { node: 'cs:131016' }),
          ...(r.seq === 5 ? { target: 'someone-else' } : {}),
        });
      await raw.close();
      const resealed = await log.seals(0, 100);
      expect(resealed).toHaveLength(2);

      const plain = await verifyAccessLog(log, cs.certPem);
      expect(plain).toMatchObject({ ok: true, records: 25, seals: 2 });
      const withAnchors = await verifyAccessLog(log, cs.certPem, { anchors: seals, pageSize: 1 });
      expect(withAnchors).toMatchObject({
        ok: false,
        problem: { kind: 'anchor-mismatch', seq: 10, sealSeq: 1 },
      });

      const conflicts: string[] = [];
      const e = await refusal(
        anchorSeals(anchors, CALLER, resealed, {
          onConflict: (c) => void conflicts.push(`${c.seal.seq}:${c.anchored.hash}`),
        }),
      );
      expect(e).toMatchObject({ code: 'conflict', reason: 'audit.anchor-conflict' });
      expect(conflicts).toEqual([`1:${seals[0]!.hash}`]);
      await log.close();
      await anchors.close();
    });

    it('R23: an anchored seal gone from the log is anchor-missing-locally; seals not yet anchored are counted', async () => {
      const o = open();
      const log = await o.log();
      const seals = await sealedLog(log);
      const raw = await o.raw();
      await raw.dropTriggers();
      await raw.run('DELETE FROM access_log_seal WHERE seq = ?', [2]);
      await raw.run('DELETE FROM access_log WHERE seq > ?', [10]);
      await raw.close();
      expect(await verifyAccessLog(log, cs.certPem)).toMatchObject({ ok: true, records: 10 });
      expect(await checkAnchors(log, seals)).toMatchObject({
        problem: { kind: 'anchor-missing-locally', seq: 20, sealSeq: 2 },
      });
      expect(await checkAnchors(log, seals.slice(0, 1))).toEqual({
        anchors: 1,
        notAnchored: 0,
        problem: undefined,
      });
      expect(await checkAnchors(log, [])).toMatchObject({ notAnchored: 1, problem: undefined });
      await log.close();
    });
  });
}

describe('the anchors export', () => {
  it('R23: reads { node, anchors } or a bare list, checks every field', () => {
    const s = {
      seq: 1,
      uptoSeq: 10,
      at: '2026-11-24T06:00:00.000Z',
      node: 'cs:131016',
      hash: 'ab'.repeat(32),
      certFingerprint: 'cd'.repeat(32),
      signature: 'MEUCIQDxMEUCIQDxMEUCIQDx',
    };
    const file = JSON.stringify({ node: 'cs:131016', anchors: [{ ...s, anchoredAt: 'x' }] });
    expect(parseAnchorsExport(file)).toEqual([s]);
    expect(parseAnchorsExport(JSON.stringify([s]))).toEqual([s]);
    for (const text of ['nope', '{}', JSON.stringify([{ ...s, hash: 'x' }])])
      expect(() => parseAnchorsExport(text)).toThrow(
        expect.objectContaining({ reason: 'audit.anchors-file' }) as Error,
      );
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeAnchors('anchors (SQLite)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-anchor-'));
    dirs.push(dir);
    const file = join(dir, 'node.sqlite');
    return {
      anchors: () => openAuditAnchorStore(`sqlite:${file}`),
      log: () => openAccessLogStore(`sqlite:${file}`),
      raw: () => Promise.resolve(rawSqlite(file)),
    };
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_anchor')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeAnchors('anchors (PostgreSQL)', () => {
    const schema = `anchor${++schemas}`;
    return {
      anchors: () => openAuditAnchorStore(database!.url, { schema }),
      log: () => openAccessLogStore(database!.url, { schema }),
      raw: () => rawPostgres(database!.url, schema),
    };
  });
});

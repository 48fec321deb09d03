import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.ts';
import { GENESIS_HASH, checkAccessEntry, type AccessEntry } from './access-log.ts';
import { canonicalRecordBytes, canonicalSealBytes, chainEntries, recordHash } from './canonical.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const entry: AccessEntry = {
  at: '2026-11-24T05:06:07.089Z',
  node: 'cs:131016',
  operator: 'clerk-01',
  operation: 'provision.query',
  target: '24727059608',
  purpose: '年金 A',
  result: 'ok',
};

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (s: string): string => {
  const b = Buffer.from(s, 'utf8');
  return b.length.toString(16).padStart(8, '0') + b.toString('hex');
};

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isRegistryError(e) ? e.reason : 'not-a-registry-error';
  }
  return undefined;
};

describe('access log canonical encoding (docs/AUDIT.md)', () => {
  it('R23: encodes the fields byte by byte: length-prefixed UTF-8 in fixed order, presence bytes, raw hash', () => {
    const bytes = canonicalRecordBytes({ ...entry, prevHash: GENESIS_HASH });
    const expected =
      str('jukinet-access-log-record-v1') +
      str(entry.at) +
      str('cs:131016') +
      str('clerk-01') +
      str('provision.query') +
      str('24727059608') +
      '01' +
      str('年金 A') +
      str('ok') +
      '00' +
      '00'.repeat(32);
    expect(hexOf(bytes)).toBe(expected);
  });

  it('R23: an absent optional field differs from any present value, and moving bytes between fields changes the hash', () => {
    const a = recordHash({ ...entry, purpose: undefined, prevHash: GENESIS_HASH }, sha256);
    const b = recordHash({ ...entry, purpose: '', prevHash: GENESIS_HASH }, sha256);
    expect(a).not.toBe(b);
    const c = recordHash(
      { ...entry, operator: 'clerk-0', target: '124727059608', prevHash: GENESIS_HASH },
      sha256,
    );
    const d = recordHash(
      { ...entry, operator: 'clerk-01', target: '24727059608', prevHash: GENESIS_HASH },
      sha256,
    );
    expect(c).not.toBe(d);
  });

  it('R23: chains entries: seq from the last record, each prevHash the hash before', () => {
    const [r1, r2] = chainEntries(
      undefined,
      [entry, { ...entry, result: 'refused', reason: 'provision.not-permitted' }],
      sha256,
    );
    expect(r1).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(r1!.hash).toBe(sha256(canonicalRecordBytes(r1!)));
    expect(r2).toMatchObject({ seq: 2, prevHash: r1!.hash, reason: 'provision.not-permitted' });
    const [r3] = chainEntries(r2, [entry], sha256);
    expect(r3).toMatchObject({ seq: 3, prevHash: r2!.hash });
  });

  it('R23: seal bytes cover seq, uptoSeq, time, node, hash and certificate fingerprint', () => {
    const seal = {
      seq: 1,
      uptoSeq: 1000,
      at: entry.at,
      node: 'cs:131016',
      hash: 'ab'.repeat(32),
      certFingerprint: 'cd'.repeat(32),
    };
    const hex = hexOf(canonicalSealBytes(seal));
    expect(hex).toBe(
      str('jukinet-access-log-seal-v1') +
        '0000000000000001' +
        '00000000000003e8' +
        str(entry.at) +
        str('cs:131016') +
        'ab'.repeat(32) +
        'cd'.repeat(32),
    );
  });

  it('R23: refuses malformed fields with a stable reason per field', () => {
    const bad: [Partial<AccessEntry>, string][] = [
      [{ at: '2026-11-24T05:06:07Z' }, 'audit.at'],
      [{ at: '2026-13-24T05:06:07.000Z' }, 'audit.at'],
      [{ node: 'cs 131016' }, 'audit.node'],
      [{ operator: '' }, 'audit.operator'],
      [{ operator: '-x' }, 'audit.operator'],
      [{ operation: 'Provision.Query' }, 'audit.operation'],
      [{ target: '山田太郎' }, 'audit.target'],
      [{ target: 'a b' }, 'audit.target'],
      [{ target: 'x'.repeat(129) }, 'audit.target'],
      [{ purpose: 'line\nbreak' }, 'audit.purpose'],
      [{ purpose: '' }, 'audit.purpose'],
      [{ result: 'maybe' as 'ok' }, 'audit.result'],
      [{ reason: 'Not Permitted' }, 'audit.reason'],
    ];
    for (const [over, reason] of bad)
      expect(reasonOf(() => checkAccessEntry({ ...entry, ...over }))).toBe(reason);
    expect(checkAccessEntry({ ...entry, operator: 'system', target: '' })).toMatchObject({
      operator: 'system',
    });
    expect(reasonOf(() => chainEntries(undefined, [entry, { ...entry, node: '' }], sha256))).toBe(
      'audit.node',
    );
  });
});

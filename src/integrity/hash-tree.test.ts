import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { CODE_SPACE, depthForCount, rangeBounds, rangeStart } from './code-space.ts';
import { compareRange, DifferenceTally } from './compare.ts';
import { differingLeaves, HashTree } from './hash-tree.ts';
import { canonicalRecord, entryDigest, recordDigest } from './record-digest.ts';

const code = (n: number): ResidentCode =>
  completeWithCheckDigit('resident-code', String(n).padStart(10, '0')) as ResidentCode;

const person = (n: number, variant = 0): IdentityInfo =>
  ({
    residentCode: code(n),
    ...(n % 3 === 0
      ? {}
      : {
          individualNumber: completeWithCheckDigit(
            'individual-number',
            String(n).padStart(11, '0'),
          ),
        }),
    name: { kanji: `試験\u3000太郎${variant}`, kana: 'シケン\u3000タロウ' },
    sex: n % 2 === 0 ? 'female' : 'male',
    birthDate: '1980-04-02' as CalendarDate,
    address: `神奈川県横浜市西区みなとみらい${n % 97}番地`,
    localGovernmentCode: '141038',
  }) as IdentityInfo;

const byCode = (a: IdentityInfo, b: IdentityInfo) => (a.residentCode < b.residentCode ? -1 : 1);

/** Everything the exchange would find between two files, run locally: descent, then records. */
async function findDifferences(sender: IdentityInfo[], receiver: IdentityInfo[], depth: number) {
  const s = [...sender].sort(byCode);
  const r = [...receiver].sort(byCode);
  const [ts, tr] = await Promise.all([HashTree.build(s, depth), HashTree.build(r, depth)]);
  const bounds = rangeBounds(depth);
  const tally = new DifferenceTally(Number.MAX_SAFE_INTEGER);
  const leaves = differingLeaves(ts, tr, 2);
  for (const leaf of leaves) {
    const inLeaf = (x: IdentityInfo) =>
      Number(x.residentCode) >= bounds[leaf]! && Number(x.residentCode) < bounds[leaf + 1]!;
    const mine = s.filter(inLeaf);
    await compareRange(
      mine.map((x) => x.residentCode),
      Buffer.concat(mine.map(entryDigest)),
      r.filter(inLeaf),
      tally,
    );
  }
  return { tally, leaves, roots: [ts.root, tr.root] as const, counts: [ts.count, tr.count] };
}

describe('integrity: code space and tree depth (R20)', () => {
  it('ranges nest level by level, cover [0, 10^11) exactly, and are exact integers', () => {
    for (let d = 0; d <= 18; d++) {
      expect(rangeStart(d, 0)).toBe(0);
      expect(rangeStart(d, 2 ** d)).toBe(CODE_SPACE);
      for (const i of [0, 1, 2 ** d - 1, Math.floor(2 ** d / 3)]) {
        expect(Number.isInteger(rangeStart(d, i))).toBe(true);
        expect(rangeStart(d + 1, 2 * i)).toBe(rangeStart(d, i));
        // ceil(i · 10^11 / 2^d), computed exactly with BigInt
        const exact = (BigInt(i) * 100_000_000_000n + 2n ** BigInt(d) - 1n) / 2n ** BigInt(d);
        expect(rangeStart(d, i)).toBe(Number(exact));
      }
    }
  });

  it('the depth is the power of two nearest count / 256, from 1 bucket to 2^18', () => {
    expect(depthForCount(0)).toBe(0);
    expect(depthForCount(256)).toBe(0);
    expect(depthForCount(1000)).toBe(2);
    expect(depthForCount(3_700_000)).toBe(14); // Yokohama: 16 384 buckets of ~226
    expect(depthForCount(14_000_000)).toBe(16);
    expect(depthForCount(1e12)).toBe(18);
  });
});

describe('integrity: record encoding (R20)', () => {
  it('encodes exactly the items of 本人確認情報, and moving text between fields changes it', () => {
    const a = person(1);
    expect(canonicalRecord({ ...a, extra: '世帯主' } as IdentityInfo)).toBe(canonicalRecord(a));
    const split1 = { ...a, name: { kanji: '試験太', kana: 'ア' } };
    const split2 = { ...a, name: { kanji: '試験', kana: '太ア' } };
    expect(canonicalRecord(split1)).not.toBe(canonicalRecord(split2));
    expect(recordDigest(split1).equals(recordDigest(split2))).toBe(false);
    // No normalisation: a variant kanji is a difference (髙 vs 高).
    expect(
      recordDigest({ ...a, name: { ...a.name, kanji: '髙橋' } }).equals(
        recordDigest({ ...a, name: { ...a.name, kanji: '高橋' } }),
      ),
    ).toBe(false);
    const withoutNumber = person(3);
    expect(withoutNumber.individualNumber).toBeUndefined();
    expect(canonicalRecord(withoutNumber)).toContain(`${withoutNumber.residentCode}0:`);
  });
});

describe('integrity: hash tree and comparison (R20)', () => {
  it('the same file gives the same tree; the order of reading is checked', async () => {
    const file = Array.from({ length: 700 }, (_, i) => person(i * 14_285_713)).sort(byCode);
    const a = await HashTree.build(file, 3);
    const b = await HashTree.build(
      (async function* () {
        for (const record of file) yield await Promise.resolve(record);
      })(),
      3,
    );
    expect(a.root.equals(b.root)).toBe(true);
    expect(a.count).toBe(700);
    await expect(HashTree.build([...file].reverse(), 3)).rejects.toMatchObject({
      reason: 'integrity.scan-order',
    });
  });

  it('R20: random files with random differences: every difference is found, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 9_999_999_999 }), { maxLength: 600 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 9_999_999_999 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 0, max: 9 }),
        async (numbers, extraNumbers, missingPicks, changedPicks, depth) => {
          const sender = numbers.map((n) => person(n));
          const senderCodes = new Set(sender.map((p) => p.residentCode));
          const missing = new Set(
            missingPicks.map((k) => sender[k % Math.max(1, sender.length)]?.residentCode),
          );
          const changed = new Set(
            changedPicks.map((k) => sender[k % Math.max(1, sender.length)]?.residentCode),
          );
          for (const c of missing) changed.delete(c);
          const extra = extraNumbers
            .map((n) => person(n))
            .filter((p) => !senderCodes.has(p.residentCode));
          const receiver = [
            ...sender
              .filter((p) => !missing.has(p.residentCode))
              .map((p) => (changed.has(p.residentCode) ? { ...p, address: `${p.address}の2` } : p)),
            ...extra,
          ];
          const { tally, leaves } = await findDifferences(sender, receiver, depth);
          const sorted = (xs: Iterable<ResidentCode | undefined>) =>
            [...xs].filter((x): x is ResidentCode => x !== undefined).sort();
          expect(sorted(tally.codes.missingAtReceiver)).toEqual(sorted(missing));
          expect(sorted(tally.codes.differingValues)).toEqual(sorted(changed));
          expect(sorted(tally.codes.extraAtReceiver)).toEqual(
            sorted(extra.map((p) => p.residentCode)),
          );
          if (tally.total === 0) expect(leaves).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('R20: one changed character in one of 3 000 records: only its bucket differs', async () => {
    const file = Array.from({ length: 3000 }, (_, i) => person(i * 3_333_331 + 17));
    const changed = file.map((p, i) =>
      i === 1234 ? { ...p, name: { ...p.name, kana: 'シケン\u3000ジロウ' } } : p,
    );
    const depth = depthForCount(file.length);
    const { tally, leaves, roots } = await findDifferences(file, changed, depth);
    expect(roots[0].equals(roots[1])).toBe(false);
    expect(leaves).toHaveLength(1);
    expect(tally.codes.differingValues).toEqual([file[1234]!.residentCode]);
    expect(tally.total).toBe(1);
  });

  it('a tally lists up to its cap, counts everything, and says it was truncated', () => {
    const tally = new DifferenceTally(2);
    for (let i = 0; i < 5; i++) tally.add('extraAtReceiver', code(i));
    expect(tally.codes.extraAtReceiver).toHaveLength(2);
    expect(tally.counts.extraAtReceiver).toBe(5);
    expect(tally.truncated).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeistelPermutation } from './feistel-permutation.ts';
import { PopulationCodes, RESIDENT_CODE_SPACE } from './population-codes.ts';

describe('FeistelPermutation', () => {
  it('R7: is a bijection of [0, size) for any size and key (every value hit exactly once)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.string(), (size, seed) => {
        const p = new FeistelPermutation(size, seed, 'test');
        const seen = new Uint8Array(size);
        for (let x = 0; x < size; x++) {
          const y = p.permute(x);
          expect(Number.isInteger(y) && y >= 0 && y < size).toBe(true);
          expect(seen[y]).toBe(0);
          seen[y] = 1;
          expect(p.invert(y)).toBe(x);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('R7: inverts on the full 10-digit resident-code space (cycle-walking stays inside it)', () => {
    const p = new FeistelPermutation(RESIDENT_CODE_SPACE, 'seed', 'resident-code');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: RESIDENT_CODE_SPACE - 1 }), (x) => {
        const y = p.permute(x);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThan(RESIDENT_CODE_SPACE);
        expect(p.invert(y)).toBe(x);
      }),
    );
  });

  it('depends on the key: two seeds give different permutations', () => {
    const a = new FeistelPermutation(1_000_000, 'a', 'resident-code');
    const b = new FeistelPermutation(1_000_000, 'b', 'resident-code');
    const same = Array.from({ length: 1000 }, (_, i) => a.permute(i) === b.permute(i)).filter(
      Boolean,
    );
    expect(same.length).toBeLessThan(5);
  });

  it('refuses values outside its domain and unusable sizes (RangeError, not a wrong answer)', () => {
    const p = new FeistelPermutation(100, 's', 't');
    expect(() => p.permute(100)).toThrow(RangeError);
    expect(() => p.permute(-1)).toThrow(RangeError);
    expect(() => p.permute(1.5)).toThrow(RangeError);
    expect(() => new FeistelPermutation(0, 's', 't')).toThrow(RangeError);
    expect(() => new FeistelPermutation(2 ** 53, 's', 't')).toThrow(RangeError);
  });

  it('R7: PopulationCodes maps a resident code back to its row index', () => {
    const codes = new PopulationCodes('round-trip');
    for (const i of [0, 1, 2, 999_999, 9_999_999_999]) {
      expect(codes.rowIndexOfResidentCode(codes.residentCode(i))).toBe(i);
    }
  });
});

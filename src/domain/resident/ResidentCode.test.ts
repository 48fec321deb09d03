import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../check-digit.ts';
import { isRegistryError } from '../errors.ts';
import type { ResidentCode } from './ResidentCode.ts';
import { isResidentCode, newResidentCode, parseResidentCode } from './ResidentCode.ts';

/** A deterministic digit source over a fast-check-generated list (shrinks on failure). */
function digitSource(draws: readonly string[]): (count: number) => string {
  let i = 0;
  return () => draws[i++ % draws.length]!;
}

const tenDigits = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 })
  .map((a) => a.join(''));

describe('ResidentCode', () => {
  it('R7: parseResidentCode accepts a valid code and names the fault of an invalid one', () => {
    expect(parseResidentCode('24727059608')).toBe('24727059608');
    expect(() => parseResidentCode('2472705960')).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'resident-code.malformed' }),
    );
    expect(() => parseResidentCode('24727059607')).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'resident-code.check-digit' }),
    );
  });

  it('R7: newResidentCode never returns a taken code, and always a valid one', () => {
    fc.assert(
      fc.property(
        fc.array(tenDigits, { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        (draws, takenFlags) => {
          // Mark some of the codes the source will produce as taken; keep one free at least.
          const codes = draws.map((p) =>
            parseResidentCode(completeWithCheckDigit('resident-code', p)),
          );
          const taken = new Set(codes.filter((_, i) => takenFlags[i % takenFlags.length]));
          fc.pre(codes.some((c) => !taken.has(c)));
          const code = newResidentCode(digitSource(draws), (c) => taken.has(c), draws.length);
          expect(isResidentCode(code)).toBe(true);
          expect(taken.has(code)).toBe(false);
          // It is the first free code in draw order (nothing is skipped without reason).
          expect(code).toBe(codes.find((c) => !taken.has(c)));
        },
      ),
    );
  });

  it('R7: newResidentCode throws unavailable when every attempt collides', () => {
    let calls = 0;
    const everythingTaken = (_: ResidentCode) => {
      calls++;
      return true;
    };
    try {
      newResidentCode(() => '2472705960', everythingTaken, 25);
      expect.unreachable('must throw');
    } catch (e) {
      expect(isRegistryError(e) && e.code).toBe('unavailable');
      expect(isRegistryError(e) && e.reason).toBe('resident-code.exhausted');
    }
    expect(calls).toBe(25); // exactly maxAttempts tries, then gives up
  });

  it('newResidentCode refuses a random source that does not give 10 digits', () => {
    expect(() =>
      newResidentCode(
        () => '12345',
        () => false,
      ),
    ).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckDigitScheme } from './check-digit.ts';
import {
  completeWithCheckDigit,
  computeCheckDigit,
  hasValidCheckDigit,
  payloadLength,
} from './check-digit.ts';

const WEIGHTS: Record<CheckDigitScheme, readonly number[]> = {
  'resident-code': [5, 4, 3, 2, 7, 6, 5, 4, 3, 2],
  'individual-number': [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2],
  'local-government-code': [6, 5, 4, 3, 2],
};

/** The weighted sum mod 11 — the quantity each check digit is a function of. */
function remainder(scheme: CheckDigitScheme, payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum += Number(payload[i]) * WEIGHTS[scheme][i]!;
  return sum % 11;
}

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));

/** Every string that differs from `full` in exactly one digit position. */
function singleSubstitutions(full: string): { position: number; altered: string }[] {
  const out: { position: number; altered: string }[] = [];
  for (let i = 0; i < full.length; i++) {
    for (let digit = 0; digit <= 9; digit++) {
      if (String(digit) === full[i]) continue;
      out.push({ position: i, altered: full.slice(0, i) + String(digit) + full.slice(i + 1) });
    }
  }
  return out;
}

describe('check digits: the published examples', () => {
  it('R7: resident code 2472705960 → 24727059608', () => {
    expect(completeWithCheckDigit('resident-code', '2472705960')).toBe('24727059608');
    expect(hasValidCheckDigit('resident-code', '24727059608')).toBe(true);
    expect(hasValidCheckDigit('resident-code', '24727059607')).toBe(false);
  });

  it('individual number 12345678901 → 123456789018', () => {
    expect(completeWithCheckDigit('individual-number', '12345678901')).toBe('123456789018');
    expect(hasValidCheckDigit('individual-number', '123456789018')).toBe(true);
  });

  it('local-government code 13101 → 131016 and 01101 → 011011', () => {
    expect(completeWithCheckDigit('local-government-code', '13101')).toBe('131016');
    expect(completeWithCheckDigit('local-government-code', '01101')).toBe('011011');
  });

  it('refuses wrong length, non-digits and full-width digits', () => {
    expect(hasValidCheckDigit('resident-code', '2472705960')).toBe(false);
    expect(hasValidCheckDigit('resident-code', '247270596080')).toBe(false);
    expect(hasValidCheckDigit('resident-code', '2472705960a')).toBe(false);
    expect(hasValidCheckDigit('local-government-code', '１３１０１６')).toBe(false);
    expect(() => computeCheckDigit('resident-code', '123')).toThrow(RangeError);
    expect(payloadLength('individual-number')).toBe(11);
  });
});

describe('check digits: what a single wrong digit does', () => {
  // Mod 11 with weights 2..7 moves the remainder for every single substitution (11 is prime and
  // neither the weight nor the digit difference is a multiple of it). The two mod-11 schemes then
  // map remainders 0 AND 1 to the same check digit 0, so a substitution that moves the remainder
  // between 0 and 1 goes unnoticed. That is the exact property, asserted both ways below.
  for (const scheme of ['resident-code', 'individual-number'] as const) {
    it(`${scheme}: a single substitution is missed exactly when it moves the remainder between 0 and 1`, () => {
      fc.assert(
        fc.property(digits(payloadLength(scheme)), (payload) => {
          const full = completeWithCheckDigit(scheme, payload);
          const r = remainder(scheme, payload);
          for (const { position, altered } of singleSubstitutions(full)) {
            const detected = !hasValidCheckDigit(scheme, altered);
            if (position === full.length - 1) {
              expect(detected).toBe(true); // the check digit itself is a function of the payload
              continue;
            }
            const r2 = remainder(scheme, altered.slice(0, -1));
            expect(r2).not.toBe(r); // the remainder always moves
            expect(detected).toBe(!(r <= 1 && r2 <= 1));
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('resident-code: the blind spot is real (a concrete undetected substitution)', () => {
    const payload = '0000000000'; // weighted sum 0, remainder 0 → check digit 0
    expect(completeWithCheckDigit('resident-code', payload)).toBe('00000000000');
    // Position 3 has weight 2; 2 × 6 = 12 ≡ 1 (mod 11): remainder 1 → check digit also 0.
    expect(hasValidCheckDigit('resident-code', '00060000000')).toBe(true);
  });

  it('resident-code: when the valid code has remainder ≥ 2, every single substitution is detected', () => {
    fc.assert(
      fc.property(
        digits(10).filter((p) => remainder('resident-code', p) >= 2),
        (payload) => {
          const full = completeWithCheckDigit('resident-code', payload);
          // Only a move between the two "low" remainders can hide, and from r ≥ 2 there is none.
          const missed = singleSubstitutions(full).filter(({ altered }) =>
            hasValidCheckDigit('resident-code', altered),
          );
          expect(missed).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('local-government-code: a single substitution is missed exactly when it moves the remainder between 0 and 10', () => {
    // check = (11 − r) mod 10: r = 0 gives 11 mod 10 = 1, and r = 10 gives 1 as well.
    // Exhaustive over all 100,000 payloads; disagreements are collected, then asserted empty.
    const disagreements: string[] = [];
    let missedCount = 0;
    for (let n = 0; n < 100000; n++) {
      const payload = String(n).padStart(5, '0');
      const full = completeWithCheckDigit('local-government-code', payload);
      const r = remainder('local-government-code', payload);
      for (const { position, altered } of singleSubstitutions(full)) {
        const detected = !hasValidCheckDigit('local-government-code', altered);
        const r2 = position === 5 ? r : remainder('local-government-code', altered.slice(0, -1));
        const collide = (r === 0 && r2 === 10) || (r === 10 && r2 === 0);
        if (detected === collide) disagreements.push(`${full} → ${altered}`);
        if (!detected) missedCount++;
      }
    }
    expect(disagreements).toEqual([]);
    expect(missedCount).toBeGreaterThan(0); // the blind spot exists, e.g. below
    // 00000: r = 0 → check 1. Weight 6 × 9 = 54 ≡ 10: 90000 has r = 10 → check 1 as well.
    expect(hasValidCheckDigit('local-government-code', '000001')).toBe(true);
    expect(hasValidCheckDigit('local-government-code', '900001')).toBe(true);
  });
});

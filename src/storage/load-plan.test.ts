import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { individualNumber, loadedRecord, residentCode } from './contract-fixtures.ts';
import { planLoad } from './load-plan.ts';
import type { LoadBatch } from './ports.ts';

/** A batch drawn from a small pool of codes and numbers, so that collisions are frequent. */
const batchArb = fc
  .array(
    fc.record({
      code: fc.integer({ min: 1, max: 8 }),
      number: fc.option(fc.integer({ min: 1, max: 8 })),
    }),
    {
      maxLength: 30,
    },
  )
  .map((rows): LoadBatch =>
    rows.map((r, i) => ({
      line: i + 1,
      record: loadedRecord(r.code, {
        individualNumber: r.number === null ? undefined : individualNumber(r.number),
      }),
    })),
  );
const storedArb = fc.record({
  stored: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
  used: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
  numbers: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
});

describe('planLoad', () => {
  it('R7, R19: every row is either accepted or refused once; accepted rows collide with nothing', () => {
    fc.assert(
      fc.property(batchArb, storedArb, (batch, db) => {
        const stored = new Set(db.stored.map((n) => residentCode(n) as string));
        const used = new Set([...db.stored, ...db.used].map((n) => residentCode(n) as string));
        const numbers = new Set(db.numbers.map((n) => individualNumber(n) as string));
        const plan = planLoad(batch, {
          residentCodeState: (c) => (stored.has(c) ? 'stored' : used.has(c) ? 'used' : undefined),
          individualNumberStored: (n) => numbers.has(n),
        });
        const lines = [
          ...plan.accepted.map((r) => r.line),
          ...plan.refused.map((r) => r.line),
        ].sort((a, b) => a - b);
        expect(lines).toEqual(batch.map((r) => r.line));
        const codes = plan.accepted.map((r) => r.record.residentCode as string);
        expect(new Set(codes).size).toBe(codes.length);
        expect(codes.some((c) => used.has(c))).toBe(false);
        const acceptedNumbers = plan.accepted.flatMap((r) =>
          r.record.individualNumber ? [r.record.individualNumber] : [],
        );
        expect(new Set(acceptedNumbers).size).toBe(acceptedNumbers.length);
        expect(acceptedNumbers.some((n) => numbers.has(n))).toBe(false);
        // The first row of a code that is new to the store is never refused for its code.
        const firstOfCode = new Map<string, number>();
        for (const r of batch)
          if (!firstOfCode.has(r.record.residentCode))
            firstOfCode.set(r.record.residentCode, r.line);
        for (const refusal of plan.refused) {
          if (refusal.reason === 'resident-code.duplicate-in-batch') {
            expect(firstOfCode.get(refusal.residentCode)).toBeLessThan(refusal.line);
          }
        }
      }),
    );
  });

  it('R19: refusals come in line order with the first reason that applies', () => {
    const plan = planLoad(
      [
        { line: 4, record: loadedRecord(2, { individualNumber: individualNumber(9) }) },
        { line: 1, record: loadedRecord(1) },
        { line: 2, record: loadedRecord(1, { individualNumber: individualNumber(9) }) },
        { line: 3, record: loadedRecord(3) },
      ],
      {
        residentCodeState: (c) => (c === residentCode(3) ? 'used' : undefined),
        individualNumberStored: () => false,
      },
    );
    expect(plan.accepted.map((r) => r.line)).toEqual([1, 4]);
    expect(plan.refused).toEqual([
      { line: 2, residentCode: residentCode(1), reason: 'resident-code.duplicate-in-batch' },
      { line: 3, residentCode: residentCode(3), reason: 'resident-code.used' },
    ]);
  });
});

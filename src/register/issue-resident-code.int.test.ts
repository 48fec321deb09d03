import { describe, expect, it } from 'vitest';
import { isResidentCode, type ResidentCode } from '../domain/resident/ResidentCode.ts';
import { RegistryError } from '../domain/errors.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import { cryptoRandomDigits, issueResidentCode } from './issue-resident-code.ts';
import { generatePopulation } from '../population/generate-population.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';

describe('issuing resident codes', () => {
  it('R7: draws 10 uniform digits from the CSPRNG', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) for (const d of cryptoRandomDigits(10)) counts[Number(d)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(1600); // 2000 expected per digit
    expect(cryptoRandomDigits(10)).toMatch(/^\d{10}$/);
  });

  it('R7: never issues a code that is in use or was used before, and the code is valid', async () => {
    const store = await openIdentityStore('sqlite::memory:');
    const [row] = generatePopulation({
      residents: 1,
      seed: 'r7',
      municipalities: loadLocalGovernmentTable().rows,
      asOf: '2026-10-01' as CalendarDate,
    });
    await store.loadBatch([{ line: 1, record: row!.record }]);
    const used = row!.record.residentCode;
    // A source that first repeats the used code's digits, then gives fresh ones.
    const draws = [used.slice(0, 10), used.slice(0, 10), '2472705960'];
    const code = await issueResidentCode(store, () => draws.shift()!);
    expect(code).toBe('24727059608' as ResidentCode);
    expect(isResidentCode(code)).toBe(true);
    await store.close();
  });

  it('R7: gives up with unavailable (not a reused code) when every draw collides', async () => {
    const store = { isResidentCodeUsed: () => Promise.resolve(true) };
    const error = await issueResidentCode(store, () => '2472705960', 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'resident-code.exhausted' });
  });
});

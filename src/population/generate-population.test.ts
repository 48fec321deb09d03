import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addYears, yearsBetween, type CalendarDate } from '../domain/dates/CalendarDate.ts';
import { isKanaReading } from '../domain/name/PersonName.ts';
import { isIndividualNumber } from '../domain/resident/IndividualNumber.ts';
import { isResidentCode } from '../domain/resident/ResidentCode.ts';
import { hasValidCheckDigit } from '../domain/check-digit.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { AGE_PYRAMID_2020, ageBandIndex } from './data/age-pyramid.ts';
import { GIVEN_NAME_ERAS } from './data/given-names.ts';
import { UNINHABITED_CODES } from './data/municipality-sizes.ts';
import { TOWN_NAMES } from './data/town-names.ts';
import { generatePopulation } from './generate-population.ts';
import { serializePopulationRow } from './population-file.ts';
import type { PopulationRow } from './PopulationRow.ts';
import { municipalityRows, populationOf, TEST_AS_OF } from './test-fixtures.ts';

const serialised = (rows: readonly PopulationRow[]): string[] => rows.map(serializePopulationRow);
const surnameOf = (s: string): string => s.split('\u3000')[0]!;

/** Households as runs of consecutive rows with the same household id. */
function households(rows: readonly PopulationRow[]): PopulationRow[][] {
  const out: PopulationRow[][] = [];
  for (const row of rows) {
    const last = out.at(-1);
    if (last !== undefined && last[0]!.household.id === row.household.id) last.push(row);
    else out.push([row]);
  }
  return out;
}

describe('generatePopulation: determinism', () => {
  it('gives the same rows, byte for byte, for the same options', () => {
    expect(serialised(populationOf(1000, 'same'))).toEqual(serialised(populationOf(1000, 'same')));
  });

  it('gives the same bytes on every machine (digest of the first 1,000 rows of seed "golden")', () => {
    // Recorded from this implementation. If a deliberate change of the generator breaks this,
    // record the new digest and say in docs/POPULATION.md that files of older versions differ.
    const text = serialised(populationOf(1000, 'golden')).join('\n');
    expect(createHash('sha256').update(text).digest('hex')).toBe(GOLDEN_SHA256);
  });

  it('gives different rows for a different seed; a number seed is its decimal text', () => {
    const a = populationOf(1000, 'seed-a');
    const b = populationOf(1000, 'seed-b');
    expect(serialised(a)).not.toEqual(serialised(b));
    const codesA = new Set(a.map((r) => r.record.residentCode));
    expect(b.filter((r) => codesA.has(r.record.residentCode)).length).toBeLessThan(5);
    expect(serialised(populationOf(200, 42))).toEqual(serialised(populationOf(200, '42')));
  });

  it('yields exactly N rows, and N rows are the first N of a larger run', () => {
    expect(populationOf(0, 's')).toEqual([]);
    const small = populationOf(777, 'prefix');
    expect(small).toHaveLength(777);
    expect(serialised(small)).toEqual(serialised(populationOf(1500, 'prefix').slice(0, 777)));
  });

  it('checks its options when called, before any row is asked for', () => {
    const base = { seed: 's', municipalities: municipalityRows(), asOf: TEST_AS_OF };
    const refused = (options: Parameters<typeof generatePopulation>[0], reason: string) =>
      expect(() => generatePopulation(options)).toThrow(
        expect.objectContaining({ code: 'invalid', reason }),
      );
    refused({ ...base, residents: -1 }, 'population.residents');
    refused({ ...base, residents: 1.5 }, 'population.residents');
    refused({ ...base, residents: 10_000_000_001 }, 'population.residents'); // more than the code space
    refused({ ...base, residents: 1, seed: Number.NaN }, 'population.seed');
    refused({ ...base, residents: 1, asOf: '2026-02-30' as CalendarDate }, 'population.as-of');
    refused({ ...base, residents: 1, onlyCodes: ['999999'] }, 'population.unknown-municipality');
    // The Northern Territories villages have codes but no one on the register.
    refused(
      { ...base, residents: 1, onlyCodes: ['016951'] },
      'population.uninhabited-municipality',
    );
  });
});

describe('generatePopulation: 200,000 residents', () => {
  let rows: PopulationRow[];
  beforeAll(() => {
    rows = populationOf(200_000, 'sample');
  });

  it('R7: resident codes and individual numbers are unique and carry valid check digits', () => {
    const codes = new Set<string>();
    const numbers = new Set<string>();
    const bad: string[] = [];
    for (const { record } of rows) {
      if (!isResidentCode(record.residentCode)) bad.push(record.residentCode);
      codes.add(record.residentCode);
      if (record.individualNumber !== undefined) {
        if (!isIndividualNumber(record.individualNumber)) bad.push(record.individualNumber);
        numbers.add(record.individualNumber);
      }
    }
    expect(bad).toEqual([]);
    expect(codes.size).toBe(rows.length);
    const withNumber = rows.filter((r) => r.record.individualNumber !== undefined).length;
    expect(numbers.size).toBe(withNumber);
    expect(withNumber / rows.length).toBeGreaterThan(0.89);
    expect(withNumber / rows.length).toBeLessThan(0.91);
  });

  it('places people only in real, inhabited municipalities, with the address starting with their names', () => {
    const table = loadLocalGovernmentTable();
    const street = new RegExp(
      `^(?:${TOWN_NAMES.join('|')})(?:[一二三四五]丁目\\d+番\\d+号|\\d+番\\d+号|\\d+番地)$`,
      'u',
    );
    const residential = new Set(['ward', 'special-ward', 'city', 'town', 'village']);
    const bad = rows.filter(({ record }) => {
      const row = table.byCode(record.localGovernmentCode);
      if (row === undefined || !hasValidCheckDigit('local-government-code', row.code)) return true;
      if (!residential.has(table.kind(row)) || UNINHABITED_CODES.has(row.code)) return true;
      const prefix = `${row.prefecture}${row.municipality}`;
      return (
        !record.address.startsWith(prefix) || !street.test(record.address.slice(prefix.length))
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
    const prefectures = new Set(rows.map((r) => r.record.localGovernmentCode.slice(0, 2)));
    expect(prefectures.size).toBe(47);
  });

  it('follows the 2020 age pyramid (φ² = χ²/n ≤ 0.01: a small effect; every band within 1 point)', () => {
    const counts = new Array<number>(AGE_PYRAMID_2020.length).fill(0);
    for (const { record } of rows.slice(0, 100_000)) {
      counts[ageBandIndex(yearsBetween(record.birthDate, TEST_AS_OF))]!++;
    }
    expect(rows.filter((r) => r.record.birthDate > TEST_AS_OF)).toEqual([]);
    const total = AGE_PYRAMID_2020.reduce((s, b) => s + b.thousands, 0);
    let phi2 = 0;
    AGE_PYRAMID_2020.forEach((band, i) => {
      const expected = band.thousands / total;
      const observed = counts[i]! / 100_000;
      phi2 += (observed - expected) ** 2 / expected;
      expect(Math.abs(observed - expected)).toBeLessThan(0.01);
    });
    expect(phi2).toBeLessThan(0.01);
  });

  it('has about 48.6 % men', () => {
    const men = rows.filter((r) => r.record.sex === 'male').length / rows.length;
    expect(Math.abs(men - 0.486)).toBeLessThan(0.01);
  });

  it('R1: every record is a current resident whose last change is 出生, 転入 or 職権記載等, not after asOf', () => {
    const reasons = new Map<string, number>();
    const bad = rows.filter(({ record }) => {
      const { reason, date } = record.lastChange;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      return (
        record.status !== 'resident' ||
        record.version !== 1 ||
        record.movedOverseas ||
        date > TEST_AS_OF ||
        date < record.birthDate ||
        (reason === 'birth' && date !== record.birthDate)
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
    expect([...reasons.keys()].sort()).toEqual(['birth', 'entry-by-authority', 'move-in']);
  });

  it('builds households: one head first, shared address, shared surname (but a 同居人), plausible sizes', () => {
    const all = households(rows);
    const sizes = new Array<number>(8).fill(0);
    const bad = all.filter((members) => {
      const head = members[0]!;
      sizes[members.length]!++;
      return (
        head.household.relationship !== '世帯主' ||
        members.slice(1).some((m) => m.household.relationship === '世帯主') ||
        members.some(
          (m) =>
            m.household.headResidentCode !== head.record.residentCode ||
            m.record.address !== head.record.address ||
            m.record.localGovernmentCode !== head.record.localGovernmentCode ||
            (m.household.relationship !== '同居人' &&
              (surnameOf(m.record.name.kanji) !== surnameOf(head.record.name.kanji) ||
                surnameOf(m.record.name.kana) !== surnameOf(head.record.name.kana))),
        )
      );
    });
    expect(bad.slice(0, 2)).toEqual([]);
    expect(new Set(all.map((h) => h[0]!.household.id)).size).toBe(all.length); // ids are unique
    const complete = all.slice(0, -1); // the last household may be cut short
    expect(Math.max(...complete.map((h) => h.length))).toBeLessThanOrEqual(6);
    const share = (n: number) => sizes[n]! / all.length;
    expect(share(1)).toBeGreaterThan(0.35); // census 2020: 38.0 %
    expect(share(1)).toBeLessThan(0.41);
    expect(share(2)).toBeGreaterThan(0.25); // 28 %
    expect(rows.length / all.length).toBeGreaterThan(2.1); // mean 2.2
    expect(rows.length / all.length).toBeLessThan(2.35);
  });

  it('makes children at least 16 years younger than their parents, grandchildren than theirs', () => {
    const tooClose: [PopulationRow, PopulationRow][] = [];
    const older = (parent: PopulationRow, child: PopulationRow) => {
      if (addYears(parent.record.birthDate, 16) > child.record.birthDate)
        tooClose.push([parent, child]);
    };
    let pairs = 0;
    for (const members of households(rows)) {
      const by = (...rel: string[]) =>
        members.filter((m) => rel.includes(m.household.relationship));
      const check = (parents: PopulationRow[], children: PopulationRow[]) => {
        for (const child of children) {
          for (const parent of parents) {
            older(parent, child);
            pairs++;
          }
        }
      };
      check(by('世帯主', '妻', '夫'), by('子'));
      check(by('子', '子の妻'), by('孫'));
      check(by('父', '母'), [members[0]!]);
    }
    expect(tooClose.slice(0, 2)).toEqual([]);
    expect(pairs).toBeGreaterThan(50_000);
  });

  it('writes names as surname + U+3000 + given name, kana in katakana, some in variant characters', () => {
    let variants = 0;
    const bad = rows.filter(({ record }) => {
      const { kanji, kana } = record.name;
      if (/[\u{E0100}髙﨑齋齊邊邉濱澤廣櫻]/u.test(surnameOf(kanji))) variants++;
      return (
        kanji.split('\u3000').length !== 2 ||
        !isKanaReading(kana) ||
        !/^[\u30A1-\u30FC]+\u3000[\u30A1-\u30FC]+$/u.test(kana)
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
    // ~0.5 % of households; an IVS sequence (葛/辻 + U+E0100) among them.
    expect(variants / rows.length).toBeGreaterThan(0.002);
    expect(variants / rows.length).toBeLessThan(0.01);
    expect(rows.some((r) => r.record.name.kanji.includes('\u{E0100}'))).toBe(true);
  });

  it('gives given names of the generation: no pre-war names for children born since 2010', () => {
    const namesOf = (eras: typeof GIVEN_NAME_ERAS) =>
      new Set(eras.flatMap((e) => [...e.male, ...e.female].map(([kanji]) => kanji)));
    const recent = namesOf(GIVEN_NAME_ERAS.slice(-2));
    const old = namesOf(GIVEN_NAME_ERAS.slice(0, 2));
    const bad = rows.filter(({ record }) => {
      const given = record.name.kanji.split('\u3000')[1]!;
      return (
        (record.birthDate >= '2010-01-01' && !recent.has(given)) ||
        (record.birthDate < '1945-01-01' && !old.has(given))
      );
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });
});

describe('generatePopulation: onlyCodes', () => {
  it('places everyone in the given ward, or in the wards of a designated city, never on the city row', () => {
    expect(
      new Set(
        populationOf(2000, 'w', { onlyCodes: ['011011'] }).map((r) => r.record.localGovernmentCode),
      ),
    ).toEqual(new Set(['011011']));
    const sapporo = populationOf(5000, 'c', { onlyCodes: ['011002'] });
    const codes = new Set(sapporo.map((r) => r.record.localGovernmentCode));
    expect(codes.has('011002')).toBe(false);
    expect(codes.size).toBe(10); // 札幌市's ten wards
    for (const r of sapporo) expect(r.record.address.startsWith('北海道札幌市')).toBe(true);
  });

  it('a prefecture code selects the whole prefecture; weights among the chosen are kept', () => {
    const tokyo = populationOf(3000, 'p', { onlyCodes: ['130001'] });
    expect(tokyo.every((r) => r.record.localGovernmentCode.startsWith('13'))).toBe(true);
    // 世田谷区 (a special ward, weight ≈ 500k) against 檜原村 (a village, ≈ 5.6k): ~ 90 : 1.
    const two = populationOf(20_000, 'two', { onlyCodes: ['131121', '133078'] });
    const heads = two.filter((r) => r.household.relationship === '世帯主');
    const inVillage =
      heads.filter((r) => r.record.localGovernmentCode === '133078').length / heads.length;
    expect(inVillage).toBeGreaterThan(0.003);
    expect(inVillage).toBeLessThan(0.025);
  });
});

const GOLDEN_SHA256 = '0d80ed1f5833db5632df402ffe928f8b3c13b257b2653be4aed20e32efa67864';

import { describe, expect, it } from 'vitest';
import { isKanaReading } from '../../domain/name/PersonName.ts';
import { AGE_PYRAMID_2020 } from './age-pyramid.ts';
import { GIVEN_NAME_ERAS } from './given-names.ts';
import { HOUSEHOLD_TYPES } from './household-types.ts';
import { PREFECTURE_POPULATIONS_2020 } from './prefecture-populations.ts';
import { SURNAMES, VARIANT_SURNAMES } from './surnames.ts';
import { TOWN_NAMES } from './town-names.ts';

const KATAKANA = /^[\u30A1-\u30FC]+$/u;

describe('population data tables', () => {
  it('surnames: at least 150 distinct, frequency-ordered, readings in full-width katakana', () => {
    expect(new Set(SURNAMES.map(([kanji, kana]) => `${kanji}/${kana}`)).size).toBe(SURNAMES.length);
    expect(SURNAMES.length).toBeGreaterThanOrEqual(150);
    expect(SURNAMES.slice(0, 4).map(([kanji]) => kanji)).toEqual(['佐藤', '鈴木', '高橋', '田中']);
    for (const [, kana, weight] of [...SURNAMES, ...VARIANT_SURNAMES]) {
      expect(kana).toMatch(KATAKANA);
      expect(isKanaReading(kana)).toBe(true);
      expect(weight).toBeGreaterThan(0);
    }
  });

  it('variant surnames differ from every common spelling: old forms or IVS sequences', () => {
    const common = new Set(SURNAMES.map(([kanji]) => kanji));
    for (const [kanji] of VARIANT_SURNAMES) expect(common.has(kanji)).toBe(false);
    expect(VARIANT_SURNAMES.some(([kanji]) => kanji.includes('\u{E0100}'))).toBe(true);
  });

  it('given names: at least 100 distinct per sex over the eras, readings in katakana', () => {
    for (const sex of ['male', 'female'] as const) {
      const names = GIVEN_NAME_ERAS.flatMap((era) => era[sex]);
      expect(new Set(names.map(([kanji, kana]) => `${kanji}/${kana}`)).size).toBeGreaterThanOrEqual(
        100,
      );
      for (const [, kana] of names) expect(kana).toMatch(KATAKANA);
    }
    const starts = GIVEN_NAME_ERAS.map((e) => e.fromYear);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('town names: about 60, distinct', () => {
    expect(new Set(TOWN_NAMES).size).toBe(TOWN_NAMES.length);
    expect(TOWN_NAMES.length).toBeGreaterThanOrEqual(60);
  });

  it('age pyramid: contiguous bands from 0 to 105 summing to ≈ 126 M', () => {
    AGE_PYRAMID_2020.forEach((band, i) => {
      expect(band.from).toBe(i === 0 ? 0 : AGE_PYRAMID_2020[i - 1]!.to + 1);
    });
    expect(AGE_PYRAMID_2020.at(-1)!.to).toBe(105);
    const total = AGE_PYRAMID_2020.reduce((s, b) => s + b.thousands, 0);
    expect(Math.abs(total - 126_146)).toBeLessThan(300);
  });

  it('prefecture populations: all 47, summing to ≈ 126.1 M', () => {
    const entries = Object.entries(PREFECTURE_POPULATIONS_2020);
    expect(entries.map(([code]) => code).sort()).toEqual(
      Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')),
    );
    const total = entries.reduce((s, [, p]) => s + p.thousands, 0);
    expect(Math.abs(total - 126_146)).toBeLessThan(100);
  });

  it('household types: shares sum to 1000 ‰, head ages only on pyramid band starts', () => {
    expect(HOUSEHOLD_TYPES.reduce((s, t) => s + t.perMille, 0)).toBe(1000);
    const starts = new Set(AGE_PYRAMID_2020.map((b) => b.from));
    for (const t of HOUSEHOLD_TYPES) {
      for (const from of Object.keys(t.headAge)) expect(starts.has(Number(from))).toBe(true);
    }
  });
});

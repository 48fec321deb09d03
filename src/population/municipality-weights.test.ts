import { describe, expect, it } from 'vitest';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { PREFECTURE_POPULATIONS_2020 } from './data/prefecture-populations.ts';
import { UNINHABITED_CODES } from './data/municipality-sizes.ts';
import { weightMunicipalities } from './municipality-weights.ts';

describe('weightMunicipalities', () => {
  const table = loadLocalGovernmentTable();
  const all = weightMunicipalities(table.rows);

  it('never places anyone on a prefecture row, a designated-city row or a Northern Territories village', () => {
    // 1,965 codes − 47 prefectures − 20 designated cities − 6 uninhabited villages.
    expect(all).toHaveLength(1965 - 47 - 20 - 6);
    for (const m of all) {
      expect(['ward', 'special-ward', 'city', 'town', 'village']).toContain(
        table.kind(table.byCode(m.code)!),
      );
      expect(UNINHABITED_CODES.has(m.code)).toBe(false);
    }
    expect(all.filter((m) => m.kind === 'ward')).toHaveLength(171);
    expect(all.filter((m) => m.kind === 'special-ward')).toHaveLength(23);
    expect(all.find((m) => m.code === '011002')).toBeUndefined(); // 札幌市 itself
    expect(all.find((m) => m.code === '014036')?.municipality).toBe('泊村'); // the real 泊村 stays
  });

  it("scales each prefecture's municipalities to its 2020 census population", () => {
    const sums = new Map<string, number>();
    for (const m of all) sums.set(m.prefectureCode, (sums.get(m.prefectureCode) ?? 0) + m.weight);
    expect(sums.size).toBe(47);
    for (const [code, sum] of sums) {
      expect(Math.abs(sum - PREFECTURE_POPULATIONS_2020[code]!.thousands * 1000)).toBeLessThan(
        1000,
      );
    }
    const total = [...sums.values()].reduce((a, b) => a + b, 0);
    expect(Math.abs(total - 126_146_000)).toBeLessThan(300_000); // Japan 2020: ≈ 126.1 M
  });

  it('weights by kind within a prefecture: special ward > city > town > village', () => {
    const weightOf = (code: string) => all.find((m) => m.code === code)!.weight;
    const setagaya = weightOf('131121');
    const hachioji = weightOf('132012');
    const hinohara = weightOf('133078');
    expect(setagaya).toBeGreaterThan(hachioji);
    expect(hachioji).toBeGreaterThan(hinohara * 10);
    const [town] = all.filter((m) => m.prefectureCode === '13' && m.kind === 'town');
    expect(town!.weight).toBeGreaterThan(hinohara);
    expect(town!.weight).toBeLessThan(hachioji);
  });

  it('onlyCodes: a designated city means its wards; a prefecture its municipalities; weights unchanged', () => {
    const yokohama = weightMunicipalities(table.rows, ['141003']);
    expect(yokohama).toHaveLength(18);
    expect(yokohama.every((m) => m.municipality.startsWith('横浜市') && m.kind === 'ward')).toBe(
      true,
    );
    const okinawa = weightMunicipalities(table.rows, ['470007', '131016']);
    expect(okinawa.filter((m) => m.prefectureCode === '47')).toHaveLength(41);
    const chiyoda = okinawa.find((m) => m.code === '131016')!;
    expect(chiyoda.weight).toBe(all.find((m) => m.code === '131016')!.weight);
  });

  it('onlyCodes: refuses unknown codes and places without residents, naming the code', () => {
    expect(() => weightMunicipalities(table.rows, ['131017'])).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'population.unknown-municipality' }),
    );
    expect(() => weightMunicipalities(table.rows, ['017001'])).toThrow(/017001 北海道蘂取村/);
    expect(() => weightMunicipalities(table.rows, [])).toThrow(
      expect.objectContaining({ reason: 'population.no-municipality' }),
    );
  });
});

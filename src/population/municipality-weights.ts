import { RegistryError } from '../domain/errors.ts';
import {
  LocalGovernmentTable,
  type LocalGovernmentKind,
  type LocalGovernmentRow,
} from '../domain/local-government/local-government-table.ts';
import { TYPICAL_POPULATION, UNINHABITED_CODES } from './data/municipality-sizes.ts';
import { PREFECTURE_POPULATIONS_2020 } from './data/prefecture-populations.ts';

/** Kinds of local government people are registered in (not prefectures, not designated cities). */
export type ResidentialKind = Exclude<LocalGovernmentKind, 'prefecture' | 'designated-city'>;

/** A municipality people may be placed in, with its expected population. */
export type WeightedMunicipality = LocalGovernmentRow & {
  readonly kind: ResidentialKind;
  readonly weight: number;
};

const isResidential = (kind: LocalGovernmentKind): kind is ResidentialKind =>
  kind !== 'prefecture' && kind !== 'designated-city';

/**
 * The municipalities residents are placed in, each weighted by its kind's typical population
 * (data/municipality-sizes.ts) and scaled so that every prefecture's total follows its 2020 census
 * population. The kinds come from the local-government table's own classification (a 市 with 区
 * rows under it is a designated city). Prefecture rows and designated-city rows get no one: in a
 * designated city people are registered in its wards. The uninhabited Northern Territories
 * villages get no one either.
 *
 * `onlyCodes` restricts the result, keeping the weights: a municipality's code selects it, a
 * designated city's code its wards, a prefecture's code all its inhabited municipalities.
 * Unknown codes and codes that select no inhabited municipality are refused (RegistryError).
 */
export function weightMunicipalities(
  rows: readonly LocalGovernmentRow[],
  onlyCodes?: readonly string[],
): WeightedMunicipality[] {
  const table = LocalGovernmentTable.fromRows(rows);
  const inhabited: (LocalGovernmentRow & { kind: ResidentialKind })[] = [];
  for (const row of table.rows) {
    const kind = table.kind(row);
    if (isResidential(kind) && !UNINHABITED_CODES.has(row.code)) inhabited.push({ ...row, kind });
  }
  const typicalByPrefecture = new Map<string, number>();
  for (const m of inhabited) {
    const sum = typicalByPrefecture.get(m.prefectureCode) ?? 0;
    typicalByPrefecture.set(m.prefectureCode, sum + TYPICAL_POPULATION[m.kind]);
  }
  const weighted = inhabited.map((m): WeightedMunicipality => {
    const prefecture = PREFECTURE_POPULATIONS_2020[m.prefectureCode];
    if (prefecture === undefined || prefecture.name !== m.prefecture) {
      throw new RegistryError(
        'invalid',
        `no population figure for prefecture ${m.prefectureCode} ${m.prefecture}`,
        'population.unknown-prefecture',
      );
    }
    const share = TYPICAL_POPULATION[m.kind] / typicalByPrefecture.get(m.prefectureCode)!;
    return { ...m, weight: Math.max(1, Math.round(prefecture.thousands * 1000 * share)) };
  });
  if (onlyCodes === undefined) return weighted;

  const selected = new Set<string>();
  for (const code of onlyCodes) {
    const row = table.byCode(code);
    if (row === undefined || row.code !== code) {
      throw new RegistryError(
        'invalid',
        `unknown local-government code ${code}`,
        'population.unknown-municipality',
      );
    }
    const kind = table.kind(row);
    const wards =
      kind === 'designated-city' ? new Set(table.wardsOf(row).map((w) => w.code)) : undefined;
    const members = weighted.filter((w) =>
      kind === 'prefecture'
        ? w.prefectureCode === row.prefectureCode
        : wards !== undefined
          ? wards.has(w.code)
          : w.code === row.code,
    );
    if (members.length === 0) {
      throw new RegistryError(
        'invalid',
        `${code} ${row.prefecture}${row.municipality} has no residents to generate (uninhabited)`,
        'population.uninhabited-municipality',
      );
    }
    for (const w of members) selected.add(w.code);
  }
  if (selected.size === 0) {
    throw new RegistryError(
      'invalid',
      'onlyCodes selects no municipality',
      'population.no-municipality',
    );
  }
  return weighted.filter((w) => selected.has(w.code));
}

/**
 * Typical (mean) population of a municipality of each kind, approximately from the 2020 Census:
 * 20 designated cities ≈ 27.5 M over 175 wards (the 2024 table has 171 wards after mergers);
 * Tokyo's 23 special wards ≈ 9.7 M; the other ≈ 770 cities ≈ 78 M; ≈ 740 towns ≈ 9.9 M;
 * ≈ 180 villages ≈ 0.87 M. Only the ratios matter: within each prefecture these are scaled so the
 * prefecture's total follows PREFECTURE_POPULATIONS_2020.
 */
export const TYPICAL_POPULATION = {
  ward: 160_000,
  'special-ward': 420_000,
  city: 100_000,
  town: 13_400,
  village: 4_700,
} as const;

/**
 * The six villages of the Northern Territories (北方領土: 色丹村, 泊村 of 国後, 留夜別村, 留別村,
 * 紗那村, 蘂取村), listed by the ministry with codes but without residents on the Japanese
 * register. Never populated. (泊村 of 古宇郡 on Hokkaido proper, 014036, is a real village.)
 */
export const UNINHABITED_CODES: ReadonlySet<string> = new Set([
  '016951',
  '016969',
  '016977',
  '016985',
  '016993',
  '017001',
]);

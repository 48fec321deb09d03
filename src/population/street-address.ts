import { CHOME_NUMERALS, TOWN_NAMES } from './data/town-names.ts';
import type { WeightedMunicipality } from './municipality-weights.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * The part of an address after the municipality, in one of three common forms:
 * - `<町名><漢数字>丁目<番>番<号>号`, e.g. 栄町二丁目14番3号 (most addresses);
 * - `<町名><番>番<号>号`, e.g. 若葉7番21号 (a town part without 丁目);
 * - `<町名><番地>番地`, e.g. 本町1203番地 (towns and villages without 住居表示).
 * 丁目 numbers are kanji numerals (一…五), 番/号/番地 are ASCII digits, as commonly written.
 * The full address is `<都道府県><市区町村><this>`, with the names exactly as in the table (no 郡).
 */
export function drawStreetAddress(
  random: SeededRandom,
  kind: WeightedMunicipality['kind'],
): string {
  const town = TOWN_NAMES[random.below(TOWN_NAMES.length)]!;
  const rural = kind === 'town' || kind === 'village';
  if (rural && random.chancePerMille(400)) {
    return `${town}${1 + Math.floor(random.float() * random.float() * 2000)}番地`;
  }
  const ban = random.between(1, 30);
  const go = random.between(1, 25);
  if (random.chancePerMille(150)) return `${town}${ban}番${go}号`;
  const chome =
    CHOME_NUMERALS[Math.floor(random.float() * random.float() * CHOME_NUMERALS.length)]!;
  return `${town}${chome}丁目${ban}番${go}号`;
}

import type { PersonName, Sex } from '../domain/resident/IdentityInfo.ts';
import { GIVEN_NAME_ERAS, NEIGHBOURING_ERA_PER_100 } from './data/given-names.ts';
import {
  SURNAMES,
  VARIANT_SURNAME_PER_100K,
  VARIANT_SURNAMES,
  type NameEntry,
} from './data/surnames.ts';
import type { SeededRandom } from './seeded-random.ts';
import { WeightedTable } from './weighted-table.ts';

/**
 * The separator between surname and given name, in kanji and kana alike: U+3000 IDEOGRAPHIC SPACE
 * (全角スペース), as registers print names: 佐藤 + U+3000 + 花子, サトウ + U+3000 + ハナコ.
 */
export const NAME_SEPARATOR = '\u3000';

const table = (entries: readonly NameEntry[]): WeightedTable<NameEntry> =>
  new WeightedTable(entries.map((e) => [e, e[2]] as const));

/** Draws surnames (by frequency, a small share in variant characters) and era-typical given names. */
export class NamePicker {
  private readonly surnames = table(SURNAMES);
  private readonly variantSurnames = table(VARIANT_SURNAMES);
  private readonly eras = GIVEN_NAME_ERAS.map((era) => ({
    fromYear: era.fromYear,
    male: table(era.male),
    female: table(era.female),
  }));

  surname(random: SeededRandom): NameEntry {
    const variant = random.below(100_000) < VARIANT_SURNAME_PER_100K;
    return (variant ? this.variantSurnames : this.surnames).pick(random);
  }

  givenName(random: SeededRandom, sex: Sex, birthYear: number): NameEntry {
    let era = 0;
    while (era + 1 < this.eras.length && this.eras[era + 1]!.fromYear <= birthYear) era++;
    if (random.below(100) < NEIGHBOURING_ERA_PER_100) {
      era = Math.max(0, Math.min(this.eras.length - 1, era + (random.below(2) === 0 ? -1 : 1)));
    }
    return this.eras[era]![sex].pick(random);
  }
}

export const fullName = (surname: NameEntry, given: NameEntry): PersonName => ({
  kanji: `${surname[0]}${NAME_SEPARATOR}${given[0]}`,
  kana: `${surname[1]}${NAME_SEPARATOR}${given[1]}`,
});

import { addYears, type CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { Sex } from '../domain/resident/IdentityInfo.ts';
import { AGE_PYRAMID_2020 } from './data/age-pyramid.ts';
import { AGE_CORRECTION } from './data/age-correction.ts';
import {
  CHILDREN_IN_THREE_GENERATIONS,
  CHILDREN_OF_COUPLE,
  CHILDREN_OF_SINGLE_PARENT,
  GRANDCHILDREN,
  HOUSEHOLD_TYPES,
  MALE_BIRTHS_PER_MILLE,
  MALE_HEAD_OF_COUPLE_PER_MILLE,
  MALE_HEAD_WITH_PARENTS_PER_MILLE,
  MALE_SINGLE_PARENT_PER_MILLE,
  MALE_SINGLE_PER_MILLE,
  MAX_HOUSEHOLD_SIZE,
  MOTHER_AS_LONE_PARENT_PER_MILLE,
  PARENTS_OF_HEAD,
  type HouseholdType,
} from './data/household-types.ts';
import { dayNumber, yearsInDays } from './day-number.ts';
import type { HouseholdRelationship } from './PopulationRow.ts';
import type { SeededRandom } from './seeded-random.ts';
import { WeightedTable } from './weighted-table.ts';

/** One member of a drafted household; birth as a day number (day-number.ts). */
export type MemberDraft = {
  readonly relationship: HouseholdRelationship;
  readonly sex: Sex;
  readonly birthDay: number;
  /** True for a 同居人: not family, so not the household's surname. */
  readonly ownSurname: boolean;
};

/** Oldest age generated (the pyramid's last band is 100–105). */
const MAX_AGE = 105;
/** Mothers are 18–45 at a birth; a lone father up to 50. */
const MIN_PARENT_AGE_AT_BIRTH = 18;
const MAX_MOTHER_AGE_AT_BIRTH = 45;
const MAX_FATHER_AGE_AT_BIRTH = 50;

const countTable = (weights: readonly number[]): WeightedTable<number> =>
  new WeightedTable(weights.map((w, i) => [i + 1, w] as const));

/**
 * Drafts households: their type, members, relationships, sexes and birth dates relative to
 * `asOf`. Children are always born to a mother aged 18–45 (so at least 18 years after each
 * parent), parents of the head are 20–40 years older than the head, nobody is born after `asOf`
 * or is older than 105.
 */
export class HouseholdDrafter {
  /** startOfAge[a]: the latest birth day of someone aged ≥ a on asOf (a = 0 … MAX_AGE + 1). */
  private readonly startOfAge: Int32Array;
  private readonly types: WeightedTable<{ type: HouseholdType; ages: WeightedTable<number> }>;
  private readonly couplesChildren = countTable(CHILDREN_OF_COUPLE);
  private readonly singleParentsChildren = countTable(CHILDREN_OF_SINGLE_PARENT);
  private readonly threeGenerationChildren = countTable(CHILDREN_IN_THREE_GENERATIONS);
  private readonly grandchildren = countTable(GRANDCHILDREN);
  private readonly parentsOfHead = countTable(PARENTS_OF_HEAD);

  constructor(asOf: CalendarDate) {
    this.startOfAge = Int32Array.from({ length: MAX_AGE + 2 }, (_, age) =>
      dayNumber(addYears(asOf, -age)),
    );
    this.types = new WeightedTable(
      HOUSEHOLD_TYPES.map((spec) => {
        const ages: [number, number][] = [];
        for (const band of AGE_PYRAMID_2020) {
          const weight = (spec.headAge[band.from] ?? 0) * (AGE_CORRECTION[band.from] ?? 1);
          for (let age = Math.max(band.from, spec.minHeadAge); age <= band.to; age++) {
            ages.push([age, weight / (band.to - band.from + 1)]);
          }
        }
        return [{ type: spec.type, ages: new WeightedTable(ages) }, spec.perMille] as const;
      }),
    );
  }

  get asOfDay(): number {
    return this.startOfAge[0]!;
  }

  draft(random: SeededRandom): MemberDraft[] {
    const { type, ages } = this.types.pick(random);
    const headAge = ages.pick(random);
    const headBirth = this.birthDayAt(random, headAge);
    const member = (
      relationship: HouseholdRelationship,
      sex: Sex,
      birthDay: number,
    ): MemberDraft => ({
      relationship,
      sex,
      birthDay,
      ownSurname: false,
    });
    switch (type) {
      case 'single': {
        const maleShare = MALE_SINGLE_PER_MILLE[headAge < 60 ? 0 : headAge < 75 ? 1 : 2];
        return [member('世帯主', random.chancePerMille(maleShare) ? 'male' : 'female', headBirth)];
      }
      case 'couple':
        return this.couple(random, headBirth, 18, member);
      case 'couple-with-children': {
        const couple = this.couple(random, headBirth, 20, member);
        const count = this.couplesChildren.pick(random);
        return [...couple, ...this.children(random, couple, count, this.asOfDay, '子')];
      }
      case 'single-parent': {
        const sex = random.chancePerMille(MALE_SINGLE_PARENT_PER_MILLE) ? 'male' : 'female';
        const head = member('世帯主', sex, headBirth);
        const count = this.singleParentsChildren.pick(random);
        return [head, ...this.children(random, [head], count, this.asOfDay, '子')];
      }
      case 'with-parents': {
        const sex = random.chancePerMille(MALE_HEAD_WITH_PARENTS_PER_MILLE) ? 'male' : 'female';
        return [member('世帯主', sex, headBirth), ...this.parents(random, headBirth)];
      }
      case 'three-generations': {
        const couple = this.couple(random, headBirth, 20, member);
        const parents = this.parents(random, headBirth);
        const count = Math.min(
          this.threeGenerationChildren.pick(random),
          MAX_HOUSEHOLD_SIZE - couple.length - parents.length,
        );
        const children = this.children(random, couple, count, this.asOfDay, '子');
        return [...couple, ...children, ...parents];
      }
      case 'elder-three-generations': {
        const couple = this.couple(random, headBirth, 18, member);
        const [son] = this.children(random, couple, 1, this.startOfAge[22]!, '子', 'male');
        if (son === undefined) return couple;
        const sonsWife = member(
          '子の妻',
          'female',
          this.spouseBirth(random, son.birthDay, 'male', 20),
        );
        const count = Math.min(this.grandchildren.pick(random), MAX_HOUSEHOLD_SIZE - 4);
        const grandchildren = this.children(random, [son, sonsWife], count, this.asOfDay, '孫');
        return [...couple, son, sonsWife, ...grandchildren];
      }
      case 'with-lodger': {
        const head = member('世帯主', random.chancePerMille(500) ? 'male' : 'female', headBirth);
        const lodgerBirth = this.clampAge(
          headBirth + random.between(-yearsInDays(10), yearsInDays(10)),
          18,
        );
        const lodgerSex = random.chancePerMille(500) ? 'male' : 'female';
        return [
          head,
          { relationship: '同居人', sex: lodgerSex, birthDay: lodgerBirth, ownSurname: true },
        ];
      }
    }
  }

  /** A uniformly drawn birth day of someone aged exactly `age` on asOf. */
  private birthDayAt(random: SeededRandom, age: number): number {
    return random.between(this.startOfAge[age + 1]! + 1, this.startOfAge[age]!);
  }

  /** `day` moved into the range of ages [minAge, MAX_AGE]. */
  private clampAge(day: number, minAge: number): number {
    return Math.max(this.startOfAge[MAX_AGE + 1]! + 1, Math.min(day, this.startOfAge[minAge]!));
  }

  private couple(
    random: SeededRandom,
    headBirth: number,
    spouseMinAge: number,
    member: (r: HouseholdRelationship, s: Sex, b: number) => MemberDraft,
  ): MemberDraft[] {
    const headSex: Sex = random.chancePerMille(MALE_HEAD_OF_COUPLE_PER_MILLE) ? 'male' : 'female';
    const spouse = this.spouseBirth(random, headBirth, headSex, spouseMinAge);
    return headSex === 'male'
      ? [member('世帯主', 'male', headBirth), member('妻', 'female', spouse)]
      : [member('世帯主', 'female', headBirth), member('夫', 'male', spouse)];
  }

  /** The wife is typically ~2.5 years younger than the husband (3 older … 8 younger). */
  private spouseBirth(
    random: SeededRandom,
    partnerBirth: number,
    partnerSex: Sex,
    minAge: number,
  ): number {
    const wifeYounger = Math.floor(random.triangular() * yearsInDays(11)) - yearsInDays(3);
    return this.clampAge(
      partnerBirth + (partnerSex === 'male' ? wifeYounger : -wifeYounger),
      minAge,
    );
  }

  /**
   * `count` children of `parents` (eldest first), born between 18 years after the younger parent's
   * birth and the mother's 45th birthday (a lone father's 50th), and not after `latest`.
   */
  private children(
    random: SeededRandom,
    parents: readonly MemberDraft[],
    count: number,
    latest: number,
    relationship: '子' | '孫',
    sex?: Sex,
  ): MemberDraft[] {
    const youngest = Math.max(...parents.map((p) => p.birthDay));
    const mother = parents.find((p) => p.sex === 'female');
    const low = youngest + yearsInDays(MIN_PARENT_AGE_AT_BIRTH);
    const high = Math.min(
      latest,
      mother !== undefined
        ? mother.birthDay + yearsInDays(MAX_MOTHER_AGE_AT_BIRTH)
        : parents[0]!.birthDay + yearsInDays(MAX_FATHER_AGE_AT_BIRTH),
    );
    if (low > high) return [];
    const births = Array.from({ length: count }, () => random.between(low, high));
    births.sort((a, b) => a - b);
    return births.map((birthDay) => ({
      relationship,
      sex: sex ?? (random.chancePerMille(MALE_BIRTHS_PER_MILLE) ? 'male' : 'female'),
      birthDay,
      ownSurname: false,
    }));
  }

  /** One or both parents of the head: the mother 20–40 years older, the father 0–5 years older than her. */
  private parents(random: SeededRandom, headBirth: number): MemberDraft[] {
    const count = this.parentsOfHead.pick(random);
    const motherBirth = this.clampAge(
      headBirth - yearsInDays(20) - Math.floor(random.triangular() * yearsInDays(20)),
      0,
    );
    const fatherBirth = this.clampAge(motherBirth - random.below(yearsInDays(5)), 0);
    const father: MemberDraft = {
      relationship: '父',
      sex: 'male',
      birthDay: fatherBirth,
      ownSurname: false,
    };
    const mother: MemberDraft = {
      relationship: '母',
      sex: 'female',
      birthDay: motherBirth,
      ownSurname: false,
    };
    if (count === 2) return [father, mother];
    return [random.chancePerMille(MOTHER_AS_LONE_PARENT_PER_MILLE) ? mother : father];
  }
}

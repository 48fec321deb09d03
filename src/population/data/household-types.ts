/**
 * Household composition, approximately after the 2020 Census (一般世帯の家族類型 and 世帯人員):
 * one-person households ≈ 38 %, couple only ≈ 20 %, couple and children ≈ 25 %, one parent and
 * children ≈ 9 %, other (three generations, with parents, with non-relatives) ≈ 8 %; mean size
 * ≈ 2.2. The share of households of 1..6 persons follows from the child and parent counts below
 * (≈ 38 / 28 / 16 / 12 / 4.5 / 1.5 %).
 *
 * `headAge` gives, per 5-year age band (keyed by its first year; 100 = 100+), the relative weight
 * of the head's age (for `single-parent`, the parent's). These are shaped by hand after the census
 * age profile of household heads by family type; the other members' ages follow from the head's
 * (spouse ± a few years, children born to a mother aged 18–45, parents 20–40 years older).
 */
export type HouseholdType =
  | 'single'
  | 'couple'
  | 'couple-with-children'
  | 'single-parent'
  | 'with-parents'
  | 'three-generations'
  | 'elder-three-generations'
  | 'with-lodger';

export type HouseholdTypeSpec = {
  readonly type: HouseholdType;
  /** Share of households, per mille. */
  readonly perMille: number;
  /** Youngest age of the head. */
  readonly minHeadAge: number;
  readonly headAge: Readonly<Record<number, number>>;
};

// prettier-ignore
export const HOUSEHOLD_TYPES: readonly HouseholdTypeSpec[] = [
  {
    type: 'single', // 単独世帯
    perMille: 380,
    minHeadAge: 18,
    headAge: {
      15: 3, 20: 10, 25: 9, 30: 6.5, 35: 5.5, 40: 5.5, 45: 6, 50: 5.5, 55: 5, 60: 5.5,
      65: 7, 70: 8, 75: 7, 80: 6.5, 85: 5, 90: 2.5, 95: 0.8, 100: 0.1,
    },
  },
  {
    type: 'couple', // 夫婦のみの世帯
    perMille: 201,
    minHeadAge: 20,
    headAge: {
      20: 0.5, 25: 2, 30: 2.5, 35: 2, 40: 2, 45: 2.5, 50: 3.5, 55: 5, 60: 8, 65: 12,
      70: 14, 75: 11, 80: 8, 85: 4, 90: 1.2, 95: 0.2,
    },
  },
  {
    type: 'couple-with-children', // 夫婦と子供から成る世帯
    perMille: 250,
    minHeadAge: 22,
    headAge: {
      20: 0.5, 25: 2, 30: 6, 35: 10, 40: 12, 45: 14, 50: 13, 55: 11, 60: 8, 65: 7, 70: 6,
      75: 4, 80: 2.5, 85: 1,
    },
  },
  {
    type: 'single-parent', // ひとり親と子供から成る世帯
    perMille: 90,
    minHeadAge: 22,
    headAge: {
      20: 0.5, 25: 3, 30: 6, 35: 9, 40: 11, 45: 11, 50: 9, 55: 7, 60: 5, 65: 5, 70: 6, 75: 6,
      80: 5, 85: 3, 90: 1,
    },
  },
  {
    type: 'with-parents', // unmarried head living with a parent or both
    perMille: 30,
    minHeadAge: 25,
    headAge: { 25: 2, 30: 3, 35: 4, 40: 5, 45: 6, 50: 6, 55: 5, 60: 4, 65: 2 },
  },
  {
    type: 'three-generations', // head couple, their children and the head's parent(s)
    perMille: 30,
    minHeadAge: 30,
    headAge: { 30: 2, 35: 4, 40: 6, 45: 7, 50: 6, 55: 4, 60: 2 },
  },
  {
    type: 'elder-three-generations', // head couple, their son, his wife and their children
    perMille: 12,
    minHeadAge: 55,
    headAge: { 55: 2, 60: 4, 65: 6, 70: 6, 75: 4, 80: 2 },
  },
  {
    type: 'with-lodger', // head and an unrelated 同居人
    perMille: 7,
    minHeadAge: 20,
    headAge: { 20: 3, 25: 4, 30: 3, 35: 2, 40: 2, 45: 2, 50: 1, 55: 1, 60: 1, 65: 1 },
  },
];

/** Number of children (weights for 1, 2, 3, 4). */
export const CHILDREN_OF_COUPLE: readonly number[] = [45, 40, 13, 2];
export const CHILDREN_OF_SINGLE_PARENT: readonly number[] = [60, 30, 10];
export const CHILDREN_IN_THREE_GENERATIONS: readonly number[] = [40, 45, 15];
export const GRANDCHILDREN: readonly number[] = [40, 50, 10];
/** Living with one parent vs both (weights for 1, 2). */
export const PARENTS_OF_HEAD: readonly number[] = [62, 38];

/** Per mille of heads who are men: couples, single parents, heads living with parents. */
export const MALE_HEAD_OF_COUPLE_PER_MILLE = 950;
export const MALE_SINGLE_PARENT_PER_MILLE = 150;
export const MALE_HEAD_WITH_PARENTS_PER_MILLE = 600;
/** A lone parent of the head is the mother this often. */
export const MOTHER_AS_LONE_PARENT_PER_MILLE = 750;
/** Boys per 1000 births (sex ratio at birth ≈ 105). */
export const MALE_BIRTHS_PER_MILLE = 512;
/** Per mille of one-person households that are men, by the person's age (under 60, 60–74, 75+). */
export const MALE_SINGLE_PER_MILLE: readonly [number, number, number] = [600, 470, 320];

/** Households with at most this many members (larger drafts drop their youngest extra children). */
export const MAX_HOUSEHOLD_SIZE = 6;

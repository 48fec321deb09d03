import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { LocalGovernmentRow } from '../domain/local-government/local-government-table.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';

/**
 * 続柄 (relationship to the head of household) as the register writes it. The generator uses
 * these; a loader accepts exactly these.
 */
export const HOUSEHOLD_RELATIONSHIPS = [
  '世帯主', // head of household
  '妻', // wife (of the head)
  '夫', // husband (of the head)
  '子', // child (of the head)
  '子の妻', // wife of the head's son
  '父', // father (of the head)
  '母', // mother (of the head)
  '孫', // grandchild (of the head)
  '同居人', // lodger: lives in the household, not related
] as const;
export type HouseholdRelationship = (typeof HOUSEHOLD_RELATIONSHIPS)[number];

/** The household (世帯) a resident belongs to: an existing-register item, never sent upstream (R2). */
export type HouseholdLink = {
  /** Household id, unique in the file: `<local-government code>-<household sequence>`. */
  readonly id: string;
  readonly relationship: HouseholdRelationship;
  readonly headResidentCode: ResidentCode;
};

/** One line of a population file: the identity record and the household it belongs to. */
export type PopulationRow = { readonly record: IdentityRecord; readonly household: HouseholdLink };

export type GeneratePopulationOptions = {
  /** Number of rows (residents) to generate, 0 ≤ residents ≤ 10^10. */
  readonly residents: number;
  /** Any string or finite number; a number is used as its decimal text (42 ≡ '42'). */
  readonly seed: string | number;
  /** The local-government table (all rows; prefecture and designated-city rows are never populated). */
  readonly municipalities: readonly LocalGovernmentRow[];
  /** Reference date: ages are relative to it; no date in the output is later. */
  readonly asOf: CalendarDate;
  /**
   * Only these codes. A municipality's code selects it; a designated city's code selects its wards;
   * a prefecture's code selects all its inhabited municipalities. Relative weights are kept.
   */
  readonly onlyCodes?: readonly string[] | undefined;
};

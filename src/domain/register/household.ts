import { addressMatchKey } from '../address/address-key.ts';
import { RegistryError } from '../errors.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import { HEAD_OF_HOUSEHOLD, type Relationship, type ResidentRecord } from './ResidentRecord.ts';

/*
 * Households (世帯), kept simple but real: a household is the resident records sharing a 世帯番号;
 * exactly one of them is 世帯主 (head) and its address is the household's address; every member's
 * record prints the head's name. Changes of household or relationship are the register's alone:
 * they are not 本人確認情報 and never produce a change event (R1, R2).
 */

/** Where the person's record sits, household-wise, after an operation. */
export type Placement = {
  readonly householdId: string;
  readonly headOfHousehold: string;
  readonly relationship: Relationship;
};

const residentsOf = (members: readonly ResidentRecord[]) =>
  members.filter((m) => m.status === 'resident');

/** The head of household among `members`, or undefined. */
export const headOf = (members: readonly ResidentRecord[]): ResidentRecord | undefined =>
  residentsOf(members).find((m) => m.relationship === HEAD_OF_HOUSEHOLD);

export const isHead = (r: ResidentRecord): boolean => r.relationship === HEAD_OF_HOUSEHOLD;

/** A person who opens a new household at their address: its head. */
export const newHousehold = (householdId: string, headName: string): Placement => ({
  householdId,
  headOfHousehold: headName,
  relationship: HEAD_OF_HOUSEHOLD,
});

/**
 * Joining household `householdId` (whose resident members are `members`) at `address`: the
 * household must exist here, the address must be its head's (compared by the address match key),
 * and it already has its 世帯主.
 */
export function joinHousehold(
  householdId: string,
  members: readonly ResidentRecord[] | undefined,
  relationship: Relationship,
  address: string,
): Placement {
  const head = headOf(members ?? []);
  if (head === undefined || head.householdId !== householdId)
    throw new RegistryError(
      'not-found',
      `世帯番号 ${householdId} の世帯がありません / no household ${householdId} with a head of household among the residents`,
      'register.household.unknown',
    );
  if (relationship === HEAD_OF_HOUSEHOLD)
    throw new RegistryError(
      'invalid',
      `世帯には既に世帯主がいます / household ${householdId} already has its head: give the relationship to the head (妻, 子, 同居人, …)`,
      'register.household.second-head',
    );
  requireHouseholdAddress(head, address);
  return { householdId, headOfHousehold: head.name.kanji, relationship };
}

/** A member's address must be the household's, i.e. its head's. */
export function requireHouseholdAddress(head: ResidentRecord, address: string): void {
  if (addressMatchKey(head.address) !== addressMatchKey(address))
    throw new RegistryError(
      'invalid',
      `住所が世帯主の住所と異なります / the address is not the household's (its head's) address; a household moves head first`,
      'register.household.address-mismatch',
    );
}

/**
 * `person` leaves their household (removal, or a 転居 into another household). When the head
 * leaves a household that keeps other residents, `newHeadCode` names the member who becomes 世帯主
 * (required exactly then): that member's relationship becomes 世帯主 and every remaining member's
 * record prints the new head's name. The other members' relationships are kept as they were
 * (re-stating them relative to the new head is a 世帯変更 the register does not model yet).
 * Returns the other members' changed records.
 */
export function leaveHousehold(
  person: ResidentRecord,
  members: readonly ResidentRecord[] | undefined,
  newHeadCode: ResidentCode | undefined,
): ResidentRecord[] {
  const others = residentsOf(members ?? []).filter(
    (m) => m.residentCode !== person.residentCode && m.householdId === person.householdId,
  );
  const successionNeeded = isHead(person) && others.length > 0;
  if (!successionNeeded) {
    if (newHeadCode !== undefined)
      throw new RegistryError(
        'invalid',
        '新しい世帯主の指定は不要です / newHeadCode is only for a head leaving a household that keeps other residents',
        'register.household.new-head-unexpected',
      );
    return [];
  }
  if (newHeadCode === undefined)
    throw new RegistryError(
      'conflict',
      `世帯主が世帯を離れます。新しい世帯主を指定してください / the head leaves a household of ${others.length + 1}: name the new head (newHeadCode)`,
      'register.household.head-leaves',
    );
  const successor = others.find((m) => m.residentCode === newHeadCode);
  if (successor === undefined)
    throw new RegistryError(
      'invalid',
      '新しい世帯主が世帯の住民ではありません / newHeadCode is not a resident member of the household',
      'register.household.new-head-not-member',
    );
  return others.map((m) =>
    m === successor
      ? {
          ...m,
          relationship: HEAD_OF_HOUSEHOLD,
          headOfHousehold: m.name.kanji,
          version: m.version + 1,
        }
      : { ...m, headOfHousehold: successor.name.kanji, version: m.version + 1 },
  );
}

/** The other members' records when the head's name changed (they print the head's name). */
export function renameHead(
  head: ResidentRecord,
  members: readonly ResidentRecord[] | undefined,
  newName: string,
): ResidentRecord[] {
  return residentsOf(members ?? [])
    .filter((m) => m.residentCode !== head.residentCode && m.householdId === head.householdId)
    .map((m) => ({ ...m, headOfHousehold: newName, version: m.version + 1 }));
}

/**
 * 出生: the child's relationship to the head, from the parent's: the child of the head or of the
 * head's spouse is 子, a child's child is 孫, otherwise "<parent's relationship>の子" (妻の子, …).
 */
export function childRelationship(parent: ResidentRecord): Relationship {
  switch (parent.relationship) {
    case HEAD_OF_HOUSEHOLD:
    case '妻':
    case '夫':
      return '子';
    case '子':
      return '孫';
    default:
      return `${parent.relationship}の子`;
  }
}

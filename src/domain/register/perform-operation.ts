import type { ResidentCode } from '../resident/ResidentCode.ts';
import { birth, entryByAuthority, moveIn } from './entry-operations.ts';
import type { OperationContext, OperationResult, RegisterOperation } from './operations.ts';
import { death, deletionByAuthority, moveOut } from './removal-operations.ts';
import type { ResidentRecord } from './ResidentRecord.ts';
import {
  codeChangeRequest,
  codeEntryByAuthority,
  correctionByAuthority,
  moveWithin,
} from './update-operations.ts';

/**
 * Runs one counter operation: `current` is the person's record (undefined for 出生, and for 転入 /
 * 職権記載等 of a person without a record here). Pure: what it reads besides is in `ctx`.
 * Returns the new record and the change event for the CS, or throws a RegistryError naming the
 * field or rule (reasons: the R19 rule names of validate-change.ts, the field reasons of
 * identity-fields.ts, `register.*`).
 */
export function performOperation(
  current: ResidentRecord | undefined,
  op: RegisterOperation,
  ctx: OperationContext,
): OperationResult {
  switch (op.reason) {
    case 'move-in':
      return moveIn(current, op.form, ctx);
    case 'birth':
      return birth(current, op.form, ctx);
    case 'entry-by-authority':
      return entryByAuthority(current, op.form, ctx);
    case 'move-out':
      return moveOut(current, op.form, ctx);
    case 'death':
      return death(current, op.form, ctx);
    case 'deletion-by-authority':
      return deletionByAuthority(current, op.form, ctx);
    case 'move-within':
      return moveWithin(current, op.form, ctx);
    case 'correction-by-authority':
      return correctionByAuthority(current, op.form, ctx);
    case 'code-change-request':
      return codeChangeRequest(current, op.form, ctx);
    case 'code-entry-by-authority':
      return codeEntryByAuthority(current, op.form, ctx);
  }
}

/** The resident code whose record the operation is about (undefined: a new person). */
export function subjectCodeOf(op: RegisterOperation): ResidentCode | undefined {
  return op.reason === 'birth' ? undefined : op.form.residentCode;
}

/** 出生: the parent whose record the I/O layer loads. */
export const parentCodeOf = (op: RegisterOperation): ResidentCode | undefined =>
  op.reason === 'birth' ? op.form.parentCode : undefined;

/** What the I/O layer reads and draws for an operation, once it has the person's and parent's records. */
export type OperationNeeds = {
  /** Load the resident members of the person's own household (`ctx.ownHousehold`). */
  readonly ownHouseholdId: string | undefined;
  /** Load the resident members of the household joined (`ctx.joinedHousehold`). */
  readonly joinHouseholdId: string | undefined;
  /** Draw a never-used resident code (`ctx.newResidentCode`, R7). */
  readonly newResidentCode: boolean;
  /** Draw a new 世帯番号 (`ctx.newHouseholdId`). */
  readonly newHousehold: boolean;
};

export function operationNeeds(
  op: RegisterOperation,
  current: ResidentRecord | undefined,
  parent: ResidentRecord | undefined,
): OperationNeeds {
  const own = current?.status === 'resident' ? current.householdId : undefined;
  switch (op.reason) {
    case 'move-in':
    case 'entry-by-authority': {
      const h = op.form.household;
      return {
        ownHouseholdId: undefined,
        joinHouseholdId: h.kind === 'join' ? h.householdId : undefined,
        newResidentCode: op.form.residentCode === undefined,
        newHousehold: h.kind === 'new',
      };
    }
    case 'birth':
      return {
        ownHouseholdId: undefined,
        joinHouseholdId: parent?.householdId,
        newResidentCode: true,
        newHousehold: false,
      };
    case 'move-within': {
      const h = op.form.household ?? { kind: 'keep' };
      return {
        ownHouseholdId: own,
        joinHouseholdId: h.kind === 'join' ? h.householdId : undefined,
        newResidentCode: false,
        newHousehold: h.kind === 'new',
      };
    }
    case 'code-change-request':
    case 'code-entry-by-authority':
      return {
        ownHouseholdId: undefined,
        joinHouseholdId: undefined,
        newResidentCode: true,
        newHousehold: false,
      };
    case 'move-out':
    case 'death':
    case 'deletion-by-authority':
    case 'correction-by-authority':
      return {
        ownHouseholdId: own,
        joinHouseholdId: undefined,
        newResidentCode: false,
        newHousehold: false,
      };
  }
}

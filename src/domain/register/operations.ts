import type { ChangeEvent } from '../change/ChangeEvent.ts';
import type { ChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { PersonName, Sex } from '../resident/IdentityInfo.ts';
import type { IndividualNumber } from '../resident/IndividualNumber.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import type { RegisteredDomicile, Relationship, ResidentRecord } from './ResidentRecord.ts';

/*
 * The counter operations (窓口業務) of the register: one form per change reason of R1, what the
 * I/O layer hands an operation besides its form, and what an operation produces.
 */

/** Where the person lives after the operation, household-wise. */
export type HouseholdChoice =
  /** Becomes 世帯主 of a new household (the I/O layer draws its number). */
  | { readonly kind: 'new' }
  /** Joins an existing household at the same address, with this 続柄 to its head. */
  | { readonly kind: 'join'; readonly householdId: string; readonly relationship: Relationship }
  /**
   * 転居 only: stays in the same household. The head moves first (the household's address is the
   * head's); the members follow, each to the head's new address.
   */
  | { readonly kind: 'keep' };

/** 転入 and 職権記載等: a person entered on the register (or re-entered: same code, removed record). */
export type EntryForm = {
  /** The code the person already has (転出証明書, re-entry); absent: a new code is issued (R7). */
  readonly residentCode?: ResidentCode | undefined;
  readonly individualNumber?: IndividualNumber | undefined;
  readonly name: PersonName;
  readonly sex: Sex;
  readonly birthDate: CalendarDate;
  readonly address: string;
  readonly household: HouseholdChoice;
  /** Exactly one of 本籍・筆頭者 (Japanese national) and 国籍・地域 (foreign resident). */
  readonly registeredDomicile?: RegisteredDomicile | undefined;
  readonly nationality?: string | undefined;
  /** 異動年月日: the day the person began living here (becomes 住所を定めた年月日). */
  readonly changeDate: CalendarDate;
  /** 届出年月日: required for 転入; absent for 職権記載等. */
  readonly notifiedOn?: CalendarDate | undefined;
  /** 前住所: required for 転入 (from the 転出証明書). */
  readonly previousAddress?: string | undefined;
};

/** 出生: the child joins the household of the parent named on the birth notification. */
export type BirthForm = {
  /** The mother's or father's resident code: a resident of this municipality. */
  readonly parentCode: ResidentCode;
  readonly individualNumber?: IndividualNumber | undefined;
  readonly name: PersonName;
  readonly sex: Sex;
  /** Also the change date, 住民となった年月日 and 住所を定めた年月日. */
  readonly birthDate: CalendarDate;
  /** 続柄 to the head; default from the parent's (世帯主/妻/夫 → 子, 子 → 孫, X → Xの子). */
  readonly relationship?: Relationship | undefined;
  /** Default: the parent's 本籍・筆頭者, or the parent's 国籍・地域. */
  readonly registeredDomicile?: RegisteredDomicile | undefined;
  readonly nationality?: string | undefined;
  readonly notifiedOn: CalendarDate;
};

/** 転出, 死亡, 職権消除等. */
export type RemovalForm = {
  readonly residentCode: ResidentCode;
  /** 転出: the day of leaving (may follow the notification); 死亡: the day of death. */
  readonly changeDate: CalendarDate;
  /** Required for 転出 and 死亡; absent for 職権消除等. */
  readonly notifiedOn?: CalendarDate | undefined;
  /**
   * The member who becomes 世帯主 when the head leaves a household that keeps other residents
   * (required exactly then).
   */
  readonly newHeadCode?: ResidentCode | undefined;
};

export type MoveOutForm = RemovalForm & {
  /** 転出先: the address the person moves to. */
  readonly destination: string;
  /** 国外転出: the destination is abroad. */
  readonly overseas?: boolean | undefined;
};

/** 転居: a new address in the same municipality. */
export type MoveWithinForm = {
  readonly residentCode: ResidentCode;
  readonly address: string;
  readonly changeDate: CalendarDate;
  readonly notifiedOn: CalendarDate;
  /** Default `keep`. */
  readonly household?: HouseholdChoice | undefined;
  /** As for removals: when the head leaves a household that keeps other residents. */
  readonly newHeadCode?: ResidentCode | undefined;
};

/** The items 職権修正等 may correct (at least one must differ from the record). */
export type Corrections = {
  readonly name?: PersonName | undefined;
  readonly sex?: Sex | undefined;
  readonly birthDate?: CalendarDate | undefined;
  /** `null` removes a wrongly recorded number. */
  readonly individualNumber?: IndividualNumber | null | undefined;
  /** The same address written correctly (a move is 転居, not a correction). */
  readonly address?: string | undefined;
  readonly previousAddress?: string | undefined;
  readonly relationship?: Relationship | undefined;
  readonly registeredDomicile?: RegisteredDomicile | undefined;
  readonly nationality?: string | undefined;
};

/** 職権修正等. */
export type CorrectionForm = {
  readonly residentCode: ResidentCode;
  readonly changeDate: CalendarDate;
  readonly corrections: Corrections;
};

/** 住民票コードの記載の変更請求 and 住民票コードの職権記載等: the person gets a new code (R7). */
export type RecodeForm = {
  readonly residentCode: ResidentCode;
  readonly changeDate: CalendarDate;
  /** Required for the request (変更請求); absent for 職権記載等. */
  readonly notifiedOn?: CalendarDate | undefined;
};

/** The form of each change reason. */
export type FormOf = {
  readonly 'move-in': EntryForm;
  readonly birth: BirthForm;
  readonly 'entry-by-authority': EntryForm;
  readonly 'move-out': MoveOutForm;
  readonly death: RemovalForm;
  readonly 'deletion-by-authority': RemovalForm;
  readonly 'move-within': MoveWithinForm;
  readonly 'correction-by-authority': CorrectionForm;
  readonly 'code-change-request': RecodeForm;
  readonly 'code-entry-by-authority': RecodeForm;
};

/** One counter operation: a change reason and its form. */
export type RegisterOperation = {
  readonly [R in ChangeReason]: { readonly reason: R; readonly form: FormOf[R] };
}[ChangeReason];

/**
 * What the I/O layer gives an operation besides its form: the clock, the drawn identifiers, and
 * the records the operation reads besides the person's own (`operationNeeds` says which).
 */
export type OperationContext = {
  readonly today: CalendarDate;
  /** The id of the change sent to the CS (every cross-node write is idempotent on it). */
  readonly transactionId: string;
  /** 団体コード of the municipality whose register this is. */
  readonly municipality: string;
  /** A never-used resident code (R7), when `operationNeeds(…).newResidentCode`. */
  readonly newResidentCode?: ResidentCode | undefined;
  /** A new 世帯番号, when `operationNeeds(…).newHousehold`. */
  readonly newHouseholdId?: string | undefined;
  /** 出生: the parent's record (undefined: no such record here). */
  readonly parent?: ResidentRecord | undefined;
  /** The resident members of the person's own household (`operationNeeds(…).ownHouseholdId`). */
  readonly ownHousehold?: readonly ResidentRecord[] | undefined;
  /** The resident members of the household joined (`operationNeeds(…).joinHouseholdId`). */
  readonly joinedHousehold?: readonly ResidentRecord[] | undefined;
  /**
   * The form's resident code has no record here but was used here before (a re-coded person's
   * old code): it is never given again (R7).
   */
  readonly formCodeRetired?: boolean | undefined;
};

export type OperationResult = {
  /** The person's 住民票 after the operation. */
  readonly record: ResidentRecord;
  /**
   * The change of 本人確認情報 that goes to the CS (only those items, via identityInfoOf);
   * undefined for a 職権修正等 that corrects register items only (本籍, 続柄, …), which never
   * leave the register (R1, R2).
   */
  readonly event: ChangeEvent | undefined;
  /**
   * Other members' records the operation changed (a new head of household when the head left):
   * register-only, no change event.
   */
  readonly householdChanges: readonly ResidentRecord[];
};

import type { ChangeEvent } from '../change/ChangeEvent.ts';
import { changedItems } from '../change/transitions.ts';
import { RegistryError } from '../errors.ts';
import { identityInfoOf, type IdentityInfo } from '../resident/IdentityInfo.ts';
import { checkForm } from './form-fields.ts';
import {
  headOf,
  isHead,
  joinHousehold,
  leaveHousehold,
  newHousehold,
  renameHead,
  requireHouseholdAddress,
  type Placement,
} from './household.ts';
import type {
  CorrectionForm,
  MoveWithinForm,
  OperationContext,
  OperationResult,
  RecodeForm,
} from './operations.ts';
import {
  assertChangeAccepted,
  checkDomicile,
  checkNotification,
  drawn,
  requireRecord,
  finish,
} from './register-rules.ts';
import { HEAD_OF_HOUSEHOLD, type ResidentRecord } from './ResidentRecord.ts';

/*
 * The operations that change a resident's record in place: 転居, 職権修正等 (R1's `updates`) and the
 * two re-codes (R1's `recodes`, R7).
 */

/**
 * 転居 (move within the municipality): only the address changes (R19); the old address becomes
 * 前住所. Household: `keep` (default: the head moves and the members follow to the head's new
 * address), `new` (the person heads a new household there) or `join` (a household at the new
 * address). Refused: the same address (`move-within.address-unchanged`, compared by the address
 * match key), a removed record, a member moving away from the head's address while keeping the
 * household, a head leaving members without naming the new head.
 */
export function moveWithin(
  current: ResidentRecord | undefined,
  form: MoveWithinForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('move-within', form);
  checkNotification('move-within', form.changeDate, form.notifiedOn, ctx.today);
  const person = requireRecord(current, 'move-within');
  const values: IdentityInfo = { ...identityInfoOf(person), address: form.address };
  const event: ChangeEvent = {
    transactionId: ctx.transactionId,
    reason: 'move-within',
    changeDate: form.changeDate,
    residentCode: person.residentCode,
    values,
  };
  assertChangeAccepted(person, event, ctx);
  const choice = form.household ?? { kind: 'keep' };
  let placement: Placement;
  let householdChanges: ResidentRecord[] = [];
  if (choice.kind === 'keep') {
    leaveHousehold(person, [], form.newHeadCode); // refuses a newHeadCode: nobody leaves
    const head = headOf(ctx.ownHousehold ?? []);
    if (!isHead(person) && head !== undefined) requireHouseholdAddress(head, form.address);
    placement = person;
  } else {
    if (choice.kind === 'join' && choice.householdId === person.householdId)
      throw new RegistryError(
        'invalid',
        '既にこの世帯の世帯員です / already a member of this household: use household keep',
        'register.household.already-member',
      );
    householdChanges = leaveHousehold(person, ctx.ownHousehold, form.newHeadCode);
    placement =
      choice.kind === 'new'
        ? newHousehold(drawn(ctx.newHouseholdId, 'newHouseholdId'), person.name.kanji)
        : joinHousehold(choice.householdId, ctx.joinedHousehold, choice.relationship, form.address);
  }
  const record: ResidentRecord = {
    ...person,
    address: form.address,
    householdId: placement.householdId,
    headOfHousehold: placement.headOfHousehold,
    relationship: placement.relationship,
    addressSetOn: form.changeDate,
    previousAddress: person.address,
    notifiedOn: form.notifiedOn,
    lastChange: { reason: 'move-within', date: form.changeDate },
    version: person.version + 1,
  };
  return finish(record, event, householdChanges);
}

/**
 * 職権修正等 (correction by authority): corrects items written wrongly or changed in the family
 * register (氏名 on marriage, 本籍, …), on a resident or a removed record. A change event goes to
 * the CS only when an item of 本人確認情報 changed; corrections of register items alone (本籍,
 * 続柄, 前住所, …) stay in the register (R1, R2) and leave `lastChange` as the CS knows it. A
 * corrected name of a head is printed on every member's record. Refused: nothing differs
 * (`register.correction.nothing`), making or unmaking 世帯主 by correction, both 本籍 and 国籍.
 */
export function correctionByAuthority(
  current: ResidentRecord | undefined,
  form: CorrectionForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('correction-by-authority', form);
  const person = requireRecord(current, 'correction-by-authority');
  const c = form.corrections;
  const values: IdentityInfo = identityInfoOf({
    ...person,
    name: c.name ?? person.name,
    sex: c.sex ?? person.sex,
    birthDate: c.birthDate ?? person.birthDate,
    address: c.address ?? person.address,
    individualNumber:
      c.individualNumber === null ? undefined : (c.individualNumber ?? person.individualNumber),
  });
  const corrected: ResidentRecord = {
    ...person,
    ...values,
    ...(values.individualNumber === undefined ? { individualNumber: undefined } : {}),
    previousAddress: c.previousAddress ?? person.previousAddress,
    relationship: c.relationship ?? person.relationship,
    registeredDomicile: c.registeredDomicile ?? person.registeredDomicile,
    nationality: c.nationality ?? person.nationality,
  };
  const identityChanged = changedItems(person, values, []).length > 0;
  if (!identityChanged && !registerItemsDiffer(person, corrected))
    throw new RegistryError(
      'invalid',
      '修正事項が記録と同じです / the corrections change nothing on the record',
      'register.correction.nothing',
    );
  if (
    (person.relationship === HEAD_OF_HOUSEHOLD) !==
    (corrected.relationship === HEAD_OF_HOUSEHOLD)
  )
    throw new RegistryError(
      'invalid',
      '世帯主は職権修正では変更できません / the head of household is not changed by correction',
      'register.household.head-by-correction',
    );
  checkDomicile(corrected.registeredDomicile, corrected.nationality);
  const event: ChangeEvent | undefined = identityChanged
    ? {
        transactionId: ctx.transactionId,
        reason: 'correction-by-authority',
        changeDate: form.changeDate,
        residentCode: person.residentCode,
        values,
      }
    : undefined;
  if (event) assertChangeAccepted(person, event, ctx);
  else if (form.changeDate > ctx.today)
    throw new RegistryError(
      'invalid',
      `異動年月日が未来の日付です / change date ${form.changeDate} is after today`,
      'change-date.future',
    );
  const renamed =
    isHead(person) && person.status === 'resident' && values.name.kanji !== person.name.kanji;
  const record: ResidentRecord = {
    ...corrected,
    headOfHousehold: renamed ? values.name.kanji : person.headOfHousehold,
    notifiedOn: event ? undefined : person.notifiedOn,
    lastChange: event
      ? { reason: 'correction-by-authority', date: form.changeDate }
      : person.lastChange,
    version: person.version + 1,
  };
  const householdChanges = renamed ? renameHead(person, ctx.ownHousehold, values.name.kanji) : [];
  return finish(record, event, householdChanges);
}

function registerItemsDiffer(a: ResidentRecord, b: ResidentRecord): boolean {
  const json = (v: unknown) => JSON.stringify(v ?? null);
  return (
    a.previousAddress !== b.previousAddress ||
    a.relationship !== b.relationship ||
    json(a.registeredDomicile) !== json(b.registeredDomicile) ||
    a.nationality !== b.nationality
  );
}

/**
 * 住民票コードの記載の変更請求 (the resident asks for a new code, R7: changeable at any time) and
 * 住民票コードの職権記載等 (the municipality re-codes, e.g. a code recorded in error). The new code is
 * drawn by the I/O layer among never-used codes; the event is addressed to the old code and
 * carries the new one. Refused: a removed record (`removed.not-allowed`), no record.
 */
export function recode(
  reason: 'code-change-request' | 'code-entry-by-authority',
  current: ResidentRecord | undefined,
  form: RecodeForm,
  ctx: OperationContext,
): OperationResult {
  checkForm(reason, form);
  checkNotification(reason, form.changeDate, form.notifiedOn, ctx.today);
  const person = requireRecord(current, reason);
  const newCode = drawn(ctx.newResidentCode, 'newResidentCode');
  const values: IdentityInfo = { ...identityInfoOf(person), residentCode: newCode };
  const event: ChangeEvent = {
    transactionId: ctx.transactionId,
    reason,
    changeDate: form.changeDate,
    residentCode: person.residentCode,
    values,
  };
  assertChangeAccepted(person, event, ctx);
  const record: ResidentRecord = {
    ...person,
    residentCode: newCode,
    notifiedOn: form.notifiedOn,
    lastChange: { reason, date: form.changeDate },
    version: person.version + 1,
  };
  return finish(record, event, []);
}

export const codeChangeRequest = (
  current: ResidentRecord | undefined,
  form: RecodeForm,
  ctx: OperationContext,
): OperationResult => recode('code-change-request', current, form, ctx);

export const codeEntryByAuthority = (
  current: ResidentRecord | undefined,
  form: RecodeForm,
  ctx: OperationContext,
): OperationResult => recode('code-entry-by-authority', current, form, ctx);

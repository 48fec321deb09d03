import type { ChangeEvent } from '../change/ChangeEvent.ts';
import { RegistryError } from '../errors.ts';
import { identityInfoOf, type IdentityInfo } from '../resident/IdentityInfo.ts';
import { checkForm } from './form-fields.ts';
import { childRelationship, joinHousehold, newHousehold, type Placement } from './household.ts';
import type { BirthForm, EntryForm, OperationContext, OperationResult } from './operations.ts';
import {
  assertChangeAccepted,
  checkDomicile,
  checkNotification,
  drawn,
  finish,
} from './register-rules.ts';
import type { ResidentRecord } from './ResidentRecord.ts';

/*
 * The three operations that put a person on the register (R1's `creates` reasons): 転入, 出生,
 * 職権記載等.
 */

/**
 * 転入 (move-in): a person from another municipality (or from abroad) begins living here. With a
 * resident code the person already has (転出証明書); without one a new code is issued (R7). A code
 * whose record here is removed is a re-entry: same person (date of birth and sex agree), not after
 * 死亡 (R19). Refused: a resident of this municipality (`create.already-resident`), a missing
 * 前住所 or 届出年月日, a household that is not at the address.
 */
export function moveIn(
  current: ResidentRecord | undefined,
  form: EntryForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('move-in', form);
  if (form.previousAddress === undefined)
    throw new RegistryError(
      'invalid',
      '前住所がありません / previousAddress is missing (転入 states the previous address)',
      'register.form.missing-field',
    );
  return enter('move-in', current, form, ctx);
}

/**
 * 職権記載等 (entry by authority): the municipality enters a person without a notification (e.g.
 * found living here, or a record removed in error is restored). Same form and rules as 転入, but
 * no notification and no previous address are required.
 */
export function entryByAuthority(
  current: ResidentRecord | undefined,
  form: EntryForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('entry-by-authority', form);
  return enter('entry-by-authority', current, form, ctx);
}

function enter(
  reason: 'move-in' | 'entry-by-authority',
  current: ResidentRecord | undefined,
  form: EntryForm,
  ctx: OperationContext,
): OperationResult {
  checkNotification(reason, form.changeDate, form.notifiedOn, ctx.today);
  checkDomicile(form.registeredDomicile, form.nationality);
  if (current === undefined && form.residentCode !== undefined && ctx.formCodeRetired === true)
    throw new RegistryError(
      'conflict',
      '住民票コードは使用済みです / the resident code was used here before and is never given again (R7)',
      'register.resident-code.retired',
    );
  const residentCode = form.residentCode ?? drawn(ctx.newResidentCode, 'newResidentCode');
  const values: IdentityInfo = identityInfoOf({
    residentCode,
    individualNumber: form.individualNumber,
    name: form.name,
    sex: form.sex,
    birthDate: form.birthDate,
    address: form.address,
    localGovernmentCode: ctx.municipality,
  });
  const event: ChangeEvent = {
    transactionId: ctx.transactionId,
    reason,
    changeDate: form.changeDate,
    residentCode,
    values,
  };
  assertChangeAccepted(current, event, ctx);
  if (
    current !== undefined &&
    (current.birthDate !== values.birthDate || current.sex !== values.sex)
  )
    throw new RegistryError(
      'conflict',
      '住民票コードの記録と生年月日・性別が一致しません / date of birth or sex differ from the removed record of this resident code: not the same person',
      'register.identity-mismatch',
    );
  const placement: Placement =
    form.household.kind === 'join'
      ? joinHousehold(
          form.household.householdId,
          ctx.joinedHousehold,
          form.household.relationship,
          form.address,
        )
      : newHousehold(drawn(ctx.newHouseholdId, 'newHouseholdId'), form.name.kanji);
  const record: ResidentRecord = {
    ...values,
    ...placement,
    registeredDomicile: form.registeredDomicile,
    nationality: form.nationality,
    becameResidentOn: form.changeDate,
    addressSetOn: form.changeDate,
    previousAddress: form.previousAddress,
    notifiedOn: form.notifiedOn,
    status: 'resident',
    removal: undefined,
    lastChange: { reason, date: form.changeDate },
    version: (current?.version ?? 0) + 1,
  };
  return finish(record, event, []);
}

/**
 * 出生 (birth): a child of a resident of this municipality, with a new resident code (R7). The
 * child joins the parent's household at its address; relationship, 本籍・筆頭者 / 国籍・地域 default
 * from the parent. The change date is the date of birth. Refused: a parent who is not a resident
 * here (`register.parent.unknown`), a notification before the birth, the relationship 世帯主.
 */
export function birth(
  current: ResidentRecord | undefined,
  form: BirthForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('birth', form);
  checkNotification('birth', form.birthDate, form.notifiedOn, ctx.today);
  const parent = ctx.parent;
  if (parent === undefined || parent.status !== 'resident')
    throw new RegistryError(
      'not-found',
      '父母が住民ではありません / the parent (parentCode) is not a resident of this municipality',
      'register.parent.unknown',
    );
  const domicileGiven = form.registeredDomicile !== undefined || form.nationality !== undefined;
  const registeredDomicile = domicileGiven ? form.registeredDomicile : parent.registeredDomicile;
  const nationality = domicileGiven ? form.nationality : parent.nationality;
  checkDomicile(registeredDomicile, nationality);
  const residentCode = drawn(ctx.newResidentCode, 'newResidentCode');
  const values = identityInfoOf({
    residentCode,
    individualNumber: form.individualNumber,
    name: form.name,
    sex: form.sex,
    birthDate: form.birthDate,
    address: parent.address,
    localGovernmentCode: ctx.municipality,
  });
  const event: ChangeEvent = {
    transactionId: ctx.transactionId,
    reason: 'birth',
    changeDate: form.birthDate,
    residentCode,
    values,
  };
  assertChangeAccepted(current, event, ctx);
  const placement = joinHousehold(
    parent.householdId,
    ctx.joinedHousehold,
    form.relationship ?? childRelationship(parent),
    parent.address,
  );
  const record: ResidentRecord = {
    ...values,
    ...placement,
    registeredDomicile,
    nationality,
    becameResidentOn: form.birthDate,
    addressSetOn: form.birthDate,
    previousAddress: undefined,
    notifiedOn: form.notifiedOn,
    status: 'resident',
    removal: undefined,
    lastChange: { reason: 'birth', date: form.birthDate },
    version: 1,
  };
  return finish(record, event, []);
}

import type { ChangeEvent } from '../change/ChangeEvent.ts';
import { identityInfoOf } from '../resident/IdentityInfo.ts';
import { checkForm } from './form-fields.ts';
import { leaveHousehold } from './household.ts';
import type { MoveOutForm, OperationContext, OperationResult, RemovalForm } from './operations.ts';
import {
  assertChangeAccepted,
  checkNotification,
  finish,
  requireRecord,
} from './register-rules.ts';
import type { RemovalReason, ResidentRecord } from './ResidentRecord.ts';

/*
 * The three operations that take a person off the register (R1's `removes` reasons): 転出, 死亡,
 * 職権消除等. The record stays as a removed record (除票) with the removal's date and reason; the
 * change event carries the last 本人確認情報. A head leaving a household that keeps other residents
 * names the new head (`newHeadCode`).
 */

/**
 * 転出 (move-out), also 国外転出 (`overseas`). Refused: no record here (`record.unknown`), already
 * removed (`removed.already-removed`), a missing 転出先 or 届出年月日, a head leaving members
 * without naming the new head (`register.household.head-leaves`).
 */
export function moveOut(
  current: ResidentRecord | undefined,
  form: MoveOutForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('move-out', form);
  return remove('move-out', current, form, ctx, form.overseas === true, form.destination);
}

/** 死亡 (death): the change date is the day of death; the notification follows it. */
export function death(
  current: ResidentRecord | undefined,
  form: RemovalForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('death', form);
  return remove('death', current, form, ctx, false, undefined);
}

/**
 * 職権消除等 (deletion by authority): e.g. the person no longer lives at the address (実態調査), or
 * a duplicate record. No notification.
 */
export function deletionByAuthority(
  current: ResidentRecord | undefined,
  form: RemovalForm,
  ctx: OperationContext,
): OperationResult {
  checkForm('deletion-by-authority', form);
  return remove('deletion-by-authority', current, form, ctx, false, undefined);
}

function remove(
  reason: RemovalReason,
  current: ResidentRecord | undefined,
  form: RemovalForm,
  ctx: OperationContext,
  movedOverseas: boolean,
  destination: string | undefined,
): OperationResult {
  checkNotification(reason, form.changeDate, form.notifiedOn, ctx.today);
  const person = requireRecord(current, reason);
  const event: ChangeEvent = {
    transactionId: ctx.transactionId,
    reason,
    changeDate: form.changeDate,
    residentCode: person.residentCode,
    values: identityInfoOf(person),
    ...(reason === 'move-out' ? { movedOverseas } : {}),
  };
  assertChangeAccepted(person, event, ctx);
  const householdChanges = leaveHousehold(person, ctx.ownHousehold, form.newHeadCode);
  const record: ResidentRecord = {
    ...person,
    notifiedOn: form.notifiedOn,
    status: 'removed',
    removal: { reason, date: form.changeDate, movedOverseas, destination },
    lastChange: { reason, date: form.changeDate },
    version: person.version + 1,
  };
  return finish(record, event, householdChanges);
}

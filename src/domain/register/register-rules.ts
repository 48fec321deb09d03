import type { ChangeEvent } from '../change/ChangeEvent.ts';
import { changeReasonLabel, type ChangeReason } from '../change/ChangeReason.ts';
import { validateChange, type Rejection } from '../change/validate-change.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError, type ErrorCode } from '../errors.ts';
import type { OperationContext, OperationResult } from './operations.ts';
import {
  identityRecordOf,
  type RegisteredDomicile,
  type ResidentRecord,
} from './ResidentRecord.ts';

/*
 * The rules every counter operation shares: R19's own table (the register refuses what the CS
 * would refuse, before anything is stored or sent), notification dates, and 本籍 / 国籍.
 */

/** The R19 rules that are about the state of the record rather than about a value. */
const CONFLICT_RULES: ReadonlySet<string> = new Set([
  'create.already-resident',
  'birth.code-exists',
  'removed.already-removed',
  'removed.not-allowed',
  'recode.code-already-used',
]);

/** A rejection of R19's table as the error of a counter operation; the reason is the rule. */
export function rejectionError(rejection: Rejection): RegistryError {
  const code: ErrorCode =
    rejection.rule === 'record.unknown'
      ? 'not-found'
      : CONFLICT_RULES.has(rejection.rule)
        ? 'conflict'
        : 'invalid';
  return new RegistryError(code, rejection.message, rejection.rule);
}

/**
 * Runs R19's validator on the change the operation is about to send: the same table the CS, the
 * prefecture and the national server run, so nothing the register accepts is refused upstream
 * for a rule the register could have checked.
 */
export function assertChangeAccepted(
  current: ResidentRecord | undefined,
  event: ChangeEvent,
  ctx: Pick<OperationContext, 'today'>,
): void {
  const rejection = validateChange(current && identityRecordOf(current), event, {
    today: ctx.today,
    // The I/O layer draws new codes among never-used ones (R7).
    newCodeAlreadyUsed: false,
  });
  if (rejection) throw rejectionError(rejection);
}

/** The person's record, or the not-found error R19 gives for a change of an unknown code. */
export function requireRecord(
  current: ResidentRecord | undefined,
  reason: ChangeReason,
): ResidentRecord {
  if (current !== undefined) return current;
  throw new RegistryError(
    'not-found',
    `記録のない住民に対する${changeReasonLabel(reason)}です / no resident record for this resident code (${reason})`,
    'record.unknown',
  );
}

/** Reasons whose change happens before it is notified (the notification reports it). */
const NOTIFIED_AFTER: ReadonlySet<ChangeReason> = new Set([
  'move-in',
  'birth',
  'death',
  'move-within',
]);

/** Reasons that are made on a notification (届出) or request; the others are by authority (職権). */
export const NOTIFIED: ReadonlySet<ChangeReason> = new Set([
  'move-in',
  'birth',
  'move-out',
  'death',
  'move-within',
  'code-change-request',
]);

/**
 * 届出年月日: required for the reasons made on a notification, never after today, and for an event
 * reported after it happened (転入 within 14 days of moving in, 出生, 死亡, 転居) not before it.
 * 転出 is notified before or after leaving.
 */
export function checkNotification(
  reason: ChangeReason,
  changeDate: CalendarDate,
  notifiedOn: CalendarDate | undefined,
  today: CalendarDate,
): void {
  if (notifiedOn === undefined) {
    if (!NOTIFIED.has(reason)) return;
    throw new RegistryError(
      'invalid',
      `届出年月日がありません / notifiedOn is missing (${changeReasonLabel(reason)} is made on a notification)`,
      'register.form.missing-field',
    );
  }
  if (notifiedOn > today)
    throw new RegistryError(
      'invalid',
      `届出年月日が未来の日付です / notifiedOn ${notifiedOn} is after today`,
      'register.notified-on.future',
    );
  if (NOTIFIED_AFTER.has(reason) && notifiedOn < changeDate)
    throw new RegistryError(
      'invalid',
      `届出年月日が異動年月日より前です / notifiedOn ${notifiedOn} is before the change date ${changeDate} (${changeReasonLabel(reason)} is notified after it happens)`,
      'register.notified-on.before-change',
    );
}

/** 本籍 (Japanese national) xor 国籍・地域 (foreign resident): exactly one on every record. */
export function checkDomicile(
  registeredDomicile: RegisteredDomicile | undefined,
  nationality: string | undefined,
): void {
  if (registeredDomicile !== undefined && nationality !== undefined)
    throw new RegistryError(
      'invalid',
      '本籍と国籍・地域の両方は記載できません / a record has either registeredDomicile (Japanese national) or nationality (foreign resident), not both',
      'register.domicile.both',
    );
  if (registeredDomicile === undefined && nationality === undefined)
    throw new RegistryError(
      'invalid',
      '本籍・筆頭者または国籍・地域が必要です / registeredDomicile (Japanese national) or nationality (foreign resident) is required',
      'register.domicile.missing',
    );
}

/** A value the I/O layer must have drawn for this operation (a programming error otherwise). */
export function drawn<T>(value: T | undefined, what: string): T {
  if (value !== undefined) return value;
  throw new RegistryError(
    'invalid',
    `operation context lacks ${what} (see operationNeeds)`,
    'register.context',
  );
}

/** The record without keys whose value is undefined: the same object a store gives back. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** An operation's result, its records compacted (an absent item is a missing key, never `undefined`). */
export function finish(
  record: ResidentRecord,
  event: ChangeEvent | undefined,
  householdChanges: readonly ResidentRecord[],
): OperationResult {
  const clean = (r: ResidentRecord): ResidentRecord =>
    compact({ ...r, removal: r.removal && compact(r.removal) });
  return { record: clean(record), event, householdChanges: householdChanges.map(clean) };
}

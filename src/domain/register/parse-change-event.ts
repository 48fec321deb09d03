import type { ChangeEvent } from '../change/ChangeEvent.ts';
import { isChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError } from '../errors.ts';
import { dateProblem, residentCodeProblem } from '../resident/identity-fields.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import { parseIdentityInfo } from '../resident/parse-identity.ts';
import { ADDRESS_MAX, NAME_MAX } from './form-fields.ts';

/*
 * A change event from the outside (a line of a real register's export), checked for what the CS
 * checks first (R19: formats and codes) and the wire's limits, so that whatever the feed holds can
 * be sent. The result has exactly the items of a change event: anything else on the input is
 * dropped (R1: only 本人確認情報 and its change information leave the register).
 */

const TRANSACTION_ID_MAX = 256;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/u;

const invalid = (field: string, message: string, reason: string): never => {
  throw new RegistryError('invalid', `${field}: ${message}`, reason);
};

export function parseChangeEvent(input: unknown): ChangeEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return invalid('event', 'must be an object', 'event.malformed');
  const row = input as Record<string, unknown>;
  const { transactionId, reason, changeDate, residentCode, movedOverseas } = row;
  if (
    typeof transactionId !== 'string' ||
    transactionId.length === 0 ||
    transactionId.length > TRANSACTION_ID_MAX ||
    CONTROL.test(transactionId)
  )
    invalid(
      'transactionId',
      `must be a string of 1–${TRANSACTION_ID_MAX} characters without control characters`,
      'event.transaction-id',
    );
  if (typeof reason !== 'string' || !isChangeReason(reason))
    return invalid('reason', 'must be one of the ten change reasons', 'event.reason');
  const dp = dateProblem(changeDate);
  if (dp) invalid('changeDate', dp.message, dp.reason);
  const rp = residentCodeProblem(residentCode);
  if (rp) invalid('residentCode', rp.message, rp.reason);
  if (movedOverseas !== undefined && typeof movedOverseas !== 'boolean')
    invalid('movedOverseas', 'must be a boolean', 'event.moved-overseas');
  let values;
  try {
    values = parseIdentityInfo(row.values);
  } catch (e) {
    if (e instanceof RegistryError) invalid('values', e.message, e.reason ?? 'event.malformed');
    throw e;
  }
  if (values.name.kanji.length > NAME_MAX || values.name.kana.length > NAME_MAX)
    invalid('values.name', `longer than ${NAME_MAX} characters`, 'register.form.too-long');
  if (values.address.length > ADDRESS_MAX)
    invalid('values.address', `longer than ${ADDRESS_MAX} characters`, 'register.form.too-long');
  const event: ChangeEvent = {
    transactionId: transactionId as string,
    reason,
    changeDate: changeDate as CalendarDate,
    residentCode: residentCode as ResidentCode,
    values,
  };
  return movedOverseas === undefined
    ? event
    : { ...event, movedOverseas: movedOverseas as boolean };
}

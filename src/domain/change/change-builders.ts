import { completeWithCheckDigit } from '../check-digit.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { IdentityInfo, IdentityRecord } from '../resident/IdentityInfo.ts';
import type { IndividualNumber } from '../resident/IndividualNumber.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeReason } from './ChangeReason.ts';

/**
 * Builders of well-formed identity information, records and change events, for tests and demos.
 * Every default is valid (check digits included); pass overrides for the case at hand.
 */

/** A valid resident code from a 10-digit payload (the check digit is added). */
export const residentCodeOf = (payload: string): ResidentCode =>
  completeWithCheckDigit('resident-code', payload.padStart(10, '0')) as ResidentCode;

/** A valid individual number from an 11-digit payload. */
export const individualNumberOf = (payload: string): IndividualNumber =>
  completeWithCheckDigit('individual-number', payload.padStart(11, '0')) as IndividualNumber;

export const date = (s: string): CalendarDate => s as CalendarDate;

export function buildIdentity(overrides: Partial<IdentityInfo> = {}): IdentityInfo {
  return {
    residentCode: residentCodeOf('2472705960'),
    individualNumber: individualNumberOf('12345678901'),
    name: { kanji: '住基 花子', kana: 'ジュウキ ハナコ' },
    sex: 'female',
    birthDate: date('1990-04-01'),
    address: '東京都千代田区千代田1番1号',
    localGovernmentCode: '131016',
    ...overrides,
  };
}

export function buildRecord(overrides: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    ...buildIdentity(),
    status: 'resident',
    lastChange: { reason: 'move-in', date: date('2020-04-01') },
    movedOverseas: false,
    version: 1,
    ...overrides,
  };
}

/**
 * A change event of `reason` carrying `values`; addressed to `values.residentCode` unless
 * `overrides.residentCode` says otherwise (a re-code addresses the old code). The default
 * transaction id is derived from the content, so two builds of the same change are duplicates.
 */
export function buildEvent(
  reason: ChangeReason,
  values: IdentityInfo,
  overrides: Partial<Omit<ChangeEvent, 'reason' | 'values'>> = {},
): ChangeEvent {
  const changeDate = overrides.changeDate ?? date('2024-06-01');
  const residentCode = overrides.residentCode ?? values.residentCode;
  return {
    transactionId: `tx:${residentCode}:${reason}:${changeDate}:${values.residentCode}:${values.address}`,
    reason,
    changeDate,
    residentCode,
    values,
    ...overrides,
  };
}

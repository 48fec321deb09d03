import type { ChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import {
  identityInfoOf,
  type IdentityRecord,
  type PersonName,
  type ResidentStatus,
  type Sex,
} from '../resident/IdentityInfo.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';

/**
 * How the answer names the person (R7): the resident code where the recipient's affair needs the
 * code itself, otherwise the recipient's own pseudonym (src/provision/pseudonym.ts), so that two
 * agencies' files cannot be matched by the identifier.
 */
export type PersonIdentifier =
  | { readonly kind: 'resident-code'; readonly value: ResidentCode }
  | { readonly kind: 'pseudonym'; readonly value: string };

/**
 * What a recipient receives about one person: 本人確認情報 (name, address, sex, date of birth) with
 * its change information (status, last change) and the identifier — nothing else. The individual
 * number is never part of an answer: it would be a key shared by every agency (R7).
 */
export type ProvidedIdentity = {
  readonly identifier: PersonIdentifier;
  readonly name: PersonName;
  readonly sex: Sex;
  readonly birthDate: CalendarDate;
  readonly address: string;
  readonly localGovernmentCode: string;
  readonly status: ResidentStatus;
  readonly lastChange: { readonly reason: ChangeReason; readonly date: CalendarDate };
};

export function providedIdentityOf(
  record: IdentityRecord,
  identifier: PersonIdentifier,
): ProvidedIdentity {
  const info = identityInfoOf(record);
  return {
    identifier,
    name: info.name,
    sex: info.sex,
    birthDate: info.birthDate,
    address: info.address,
    localGovernmentCode: info.localGovernmentCode,
    status: record.status,
    lastChange: { reason: record.lastChange.reason, date: record.lastChange.date },
  };
}

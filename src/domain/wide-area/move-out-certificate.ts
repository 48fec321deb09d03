import { splitAddress } from '../address/split-address.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError } from '../errors.ts';
import type { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import { namesMatch } from '../name/name-matching.ts';
import type { RegisteredDomicile, ResidentRecord } from '../register/ResidentRecord.ts';
import type { PersonName, Sex } from '../resident/IdentityInfo.ts';

/*
 * 転入転出の特例 (R25; 住民基本台帳法第24条の2; docs/WIDE-AREA.md "The move-out / move-in special
 * case"): a resident who sent their move-out notice (転出届) to their old municipality by mail
 * visits only the new municipality, once. There the new municipality's CS (転入地) asks the old
 * municipality's CS (転出地), through the switch, for the move-out certificate information
 * (転出証明書情報) that a paper 転出証明書 would have carried, and the counter takes the 転入 from it.
 *
 * This module is the old side's decision, pure: the person must have moved out of this
 * municipality by a 転出届 naming the caller's municipality as the destination, and what the
 * counter stated (the resident code from the card, the name, the date of birth) must match.
 */

/** What the new municipality's counter sends: the card's resident code and what was stated. */
export type MoveOutCertificateRequest = {
  /** The new CS's id of this request (recorded on both sides). */
  readonly requestId: string;
  /** The operator (操作者識別カード) at the new municipality's counter. */
  readonly issuedBy: string;
  readonly residentCode: string;
  readonly name: string;
  readonly birthDate: CalendarDate;
};

/** 転出証明書情報: what the 転入 at the new municipality needs of the old register. */
export type MoveOutCertificate = {
  readonly residentCode: string;
  readonly individualNumber?: string | undefined;
  readonly name: PersonName;
  readonly sex: Sex;
  readonly birthDate: CalendarDate;
  /** 本籍・筆頭者 (a Japanese national), or 国籍・地域 (a foreign resident). */
  readonly registeredDomicile?: RegisteredDomicile | undefined;
  readonly nationality?: string | undefined;
  /** 世帯主 and 続柄 in the old household. */
  readonly headOfHousehold: string;
  readonly relationship: string;
  /** The old address: the 従前の住所 of the 転入. */
  readonly address: string;
  /** 転出の予定年月日. */
  readonly moveOutDate: CalendarDate;
  /** 転出先 as notified. */
  readonly destination: string;
};

export const MOVE_OUT_REFUSALS = {
  'move-out.mismatch':
    '転出証明書情報がありません（申し出た事項が一致しません）/ no move-out from this municipality matches what was stated',
  'move-out.no-notice':
    '転出届がまだ出されていません / this resident has not notified a move-out yet: the 転出届 comes first',
  'move-out.other-destination':
    '転出先が当市区町村ではありません / the move-out notified names another municipality as the destination',
} as const;
export type MoveOutRefusalReason = keyof typeof MOVE_OUT_REFUSALS;

export type MoveOutDecision =
  | { readonly ok: true; readonly certificate: MoveOutCertificate }
  | { readonly ok: false; readonly reason: MoveOutRefusalReason; readonly message: string };

const refuse = (reason: MoveOutRefusalReason): MoveOutDecision => ({
  ok: false,
  reason,
  message: MOVE_OUT_REFUSALS[reason],
});

/**
 * The old CS's decision on a request from the CS of municipality `callerCode` about `record` (the
 * register's record of the card's resident code, if any). Refused:
 * - `move-out.mismatch`: no record, the stated name or date of birth differs, or a record removed
 *   otherwise than by a move-out within Japan (death, deletion, abroad) — one reason for all;
 * - `move-out.no-notice`: a current resident of this municipality (no 転出届 yet);
 * - `move-out.other-destination`: the 転出届 names a destination outside the caller's
 *   municipality.
 */
export function decideMoveOutCertificate(
  request: MoveOutCertificateRequest,
  record: ResidentRecord | undefined,
  callerCode: string,
  table: LocalGovernmentTable,
): MoveOutDecision {
  if (
    !record ||
    record.residentCode !== request.residentCode ||
    !namesMatch(record.name.kanji, request.name) ||
    record.birthDate !== request.birthDate
  )
    return refuse('move-out.mismatch');
  if (record.status === 'resident') return refuse('move-out.no-notice');
  const removal = record.removal;
  if (removal?.reason !== 'move-out' || removal.movedOverseas || !removal.destination)
    return refuse('move-out.mismatch');
  if (destinationCode(table, removal.destination) !== callerCode)
    return refuse('move-out.other-destination');
  return {
    ok: true,
    certificate: {
      residentCode: record.residentCode,
      ...(record.individualNumber ? { individualNumber: record.individualNumber } : {}),
      name: { kanji: record.name.kanji, kana: record.name.kana },
      sex: record.sex,
      birthDate: record.birthDate,
      ...(record.registeredDomicile ? { registeredDomicile: record.registeredDomicile } : {}),
      ...(record.nationality ? { nationality: record.nationality } : {}),
      headOfHousehold: record.headOfHousehold,
      relationship: record.relationship,
      address: record.address,
      moveOutDate: removal.date,
      destination: removal.destination,
    },
  };
}

/** The 団体コード of a destination address, or undefined when it names no municipality. */
function destinationCode(table: LocalGovernmentTable, destination: string): string | undefined {
  try {
    return splitAddress(table, destination).localGovernmentCode;
  } catch (e) {
    if (e instanceof RegistryError) return undefined;
    throw e;
  }
}

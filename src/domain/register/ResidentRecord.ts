import type { ChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import {
  identityInfoOf,
  type IdentityInfo,
  type IdentityRecord,
  type ResidentStatus,
} from '../resident/IdentityInfo.ts';

/**
 * 住民票 (resident record): one person's entry in the municipality's register (既存住基システム).
 * It is a superset of 本人確認情報 (the IdentityInfo items it extends); everything else on it —
 * household, relationship, registered domicile, dates, previous address — stays in the register
 * and never goes to a prefecture or national server (R1, R2). `identityInfoOf(record)` is exactly
 * what the CS receives.
 */

/** 続柄 of the head of household themself. */
export const HEAD_OF_HOUSEHOLD = '世帯主';

/**
 * 続柄 (relationship to the head of household) as written on the record: 世帯主, 妻, 夫, 子, 父, 母,
 * 孫, 同居人, 妻の子, 子の妻, 縁故者, 夫（未届）… Free text (registers write compound relationships),
 * never empty; 世帯主 is held by exactly one resident member of each household.
 */
export type Relationship = string;

/** 本籍 and 筆頭者: the registered domicile (family register) of a Japanese national. */
export type RegisteredDomicile = {
  /** 本籍: the address of the family register (戸籍). */
  readonly address: string;
  /** 筆頭者: the name of the person heading the family register. */
  readonly headOfFamily: string;
};

/** The removal reasons (消除): the three `removes` reasons of R1. */
export type RemovalReason = 'move-out' | 'death' | 'deletion-by-authority';

/** Why and when a person was taken off the register (除票). */
export type Removal = {
  readonly reason: RemovalReason;
  /** 消除の年月日: the change date of the removal (転出: the day of leaving). */
  readonly date: CalendarDate;
  /** 転出 to an address abroad (国外転出): retention has its own rule (R1). */
  readonly movedOverseas: boolean;
  /** 転出先: the new address the person declared (転出 only). */
  readonly destination?: string | undefined;
};

export type ResidentRecord = IdentityInfo & {
  /** 世帯番号: identifies the household (世帯) within this register. */
  readonly householdId: string;
  /** 世帯主: the name of the head of household, as printed on every member's record. */
  readonly headOfHousehold: string;
  /** 続柄 to the head of household. */
  readonly relationship: Relationship;
  /** 本籍・筆頭者, for a Japanese national; absent for a foreign resident. */
  readonly registeredDomicile?: RegisteredDomicile | undefined;
  /** 国籍・地域, for a foreign resident (外国人住民); absent for a Japanese national. */
  readonly nationality?: string | undefined;
  /** 住民となった年月日: the day the person became a resident of this municipality. */
  readonly becameResidentOn: CalendarDate;
  /** 住所を定めた年月日: the day the person began living at the current address. */
  readonly addressSetOn: CalendarDate;
  /** 前住所: the previous address (転入: in the previous municipality; 転居: the old address here). */
  readonly previousAddress?: string | undefined;
  /** 届出年月日 of the last change; absent when the last change was made by authority (職権). */
  readonly notifiedOn?: CalendarDate | undefined;
  readonly status: ResidentStatus;
  /** Set while the record is removed (除票). */
  readonly removal?: Removal | undefined;
  readonly lastChange: { readonly reason: ChangeReason; readonly date: CalendarDate };
  /** Number of operations that wrote this record (household changes of another member's operation included). */
  readonly version: number;
};

/**
 * The record as the CS and every server above it see it: 本人確認情報 plus its change information.
 * This is what R19's validator checks a change against.
 */
export function identityRecordOf(r: ResidentRecord): IdentityRecord {
  return {
    ...identityInfoOf(r),
    status: r.status,
    lastChange: { reason: r.lastChange.reason, date: r.lastChange.date },
    movedOverseas: r.removal?.movedOverseas ?? false,
    version: r.version,
  };
}

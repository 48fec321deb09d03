import type { ChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { IndividualNumber } from './IndividualNumber.ts';
import type { ResidentCode } from './ResidentCode.ts';

/** 性別. Stored as the words; the register prints 男 / 女. */
export type Sex = 'male' | 'female';
export const SEX_LABEL: Record<Sex, string> = { male: '男', female: '女' };

/** 氏名: kanji as written (variant kanji / IVS kept) and the kana reading (よみがな). */
export type PersonName = { readonly kanji: string; readonly kana: string };

/**
 * 本人確認情報 (identity information): the four items (name, address, sex, date of birth) plus the
 * resident code and, optionally, the individual number. This is ALL a prefecture or national server
 * may hold about a person (R1).
 */
export type IdentityInfo = {
  readonly residentCode: ResidentCode;
  readonly individualNumber?: IndividualNumber | undefined;
  readonly name: PersonName;
  readonly sex: Sex;
  readonly birthDate: CalendarDate;
  /** The full address as written (都道府県 + 市区町村 + the rest). */
  readonly address: string;
  /** 6-digit 団体コード of the municipality of residence. */
  readonly localGovernmentCode: string;
};

/** `resident`: on the register. `removed`: 転出, 死亡 or 職権消除等 took the person off it. */
export type ResidentStatus = 'resident' | 'removed';

/** The current state of one person: identity info plus the change information (R1). */
export type IdentityRecord = IdentityInfo & {
  readonly status: ResidentStatus;
  readonly lastChange: { readonly reason: ChangeReason; readonly date: CalendarDate };
  /** Set when the last move-out was to an address abroad (retention has its own rule, R1). */
  readonly movedOverseas: boolean;
  /** Number of accepted changes folded into this record. */
  readonly version: number;
};

/**
 * Exactly the items of 本人確認情報 from anything that has them (a record, an event's values, a
 * checked input row), dropping whatever else it carries (R1: nothing more is held). An absent
 * (undefined or null) individual number is left out.
 */
export function identityInfoOf(r: IdentityInfo): IdentityInfo {
  const info: IdentityInfo = {
    residentCode: r.residentCode,
    name: { kanji: r.name.kanji, kana: r.name.kana },
    sex: r.sex,
    birthDate: r.birthDate,
    address: r.address,
    localGovernmentCode: r.localGovernmentCode,
  };
  return r.individualNumber == null ? info : { ...info, individualNumber: r.individualNumber };
}

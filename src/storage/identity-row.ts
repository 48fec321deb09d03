import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import {
  identityInfoOf,
  type IdentityRecord,
  type ResidentStatus,
  type Sex,
} from '../domain/resident/IdentityInfo.ts';
import type { IndividualNumber } from '../domain/resident/IndividualNumber.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { searchKeysOf } from '../domain/provision/search-keys.ts';

/**
 * The columns of one identity row, in the order every statement (SELECT, INSERT, COPY) uses in
 * both dialects. `person_id` is not among them: it is internal to the store.
 */
export const IDENTITY_COLUMNS = [
  'resident_code',
  'individual_number',
  'name_kanji',
  'name_kana',
  'sex',
  'birth_date',
  'address',
  'local_government_code',
  'status',
  'last_change_reason',
  'last_change_date',
  'moved_overseas',
  'version',
] as const;

export const IDENTITY_COLUMN_LIST = IDENTITY_COLUMNS.join(', ');

/**
 * The search keys (migration 5, domain/provision/search-keys.ts): derived from the name, reading
 * and address, written with every row, never read back into a record.
 */
export const SEARCH_KEY_COLUMNS = ['name_key', 'kana_key', 'address_key'] as const;

/** What every INSERT, UPDATE and COPY of a whole row writes, in order: the record, then its keys. */
export const IDENTITY_WRITE_COLUMNS = [...IDENTITY_COLUMNS, ...SEARCH_KEY_COLUMNS] as const;
export const IDENTITY_WRITE_COLUMN_LIST = IDENTITY_WRITE_COLUMNS.join(', ');

/** A row as the drivers return it in array mode (SQLite gives 0/1 for the boolean). */
export type IdentityRow = readonly [
  ResidentCode,
  IndividualNumber | null,
  string,
  string,
  Sex,
  CalendarDate,
  string,
  string,
  ResidentStatus,
  ChangeReason,
  CalendarDate,
  number | boolean,
  number,
];

/** An identity row, possibly followed by more columns (e.g. `person_id`). */
export type IdentityRowLike = readonly [...IdentityRow, ...unknown[]];

/** Row → record. On the lookup hot path: one object literal, no loops, no validation. */
export function recordFromRow(r: IdentityRowLike): IdentityRecord {
  return {
    residentCode: r[0],
    individualNumber: r[1] ?? undefined,
    name: { kanji: r[2], kana: r[3] },
    sex: r[4],
    birthDate: r[5],
    address: r[6],
    localGovernmentCode: r[7],
    status: r[8],
    lastChange: { reason: r[9], date: r[10] },
    movedOverseas: r[11] === true || r[11] === 1,
    version: r[12],
  };
}

/**
 * Record → the values of IDENTITY_WRITE_COLUMNS, in order (the record's columns, then its search
 * keys); `movedOverseas` as the dialect wants it.
 */
export function identityValues<B>(
  r: IdentityRecord,
  bool: (b: boolean) => B,
): [
  string,
  string | null,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  B,
  number,
  string,
  string,
  string,
] {
  const keys = searchKeysOf(r);
  return [
    r.residentCode,
    r.individualNumber ?? null,
    r.name.kanji,
    r.name.kana,
    r.sex,
    r.birthDate,
    r.address,
    r.localGovernmentCode,
    r.status,
    r.lastChange.reason,
    r.lastChange.date,
    bool(r.movedOverseas),
    r.version,
    keys.nameKey,
    keys.kanaKey,
    keys.addressKey,
  ];
}

/**
 * The event as history and the outbox keep it: exactly the fields of ChangeEvent and of
 * 本人確認情報, whatever else a sender put on it (R1: nothing more is held).
 */
export function storedChangeEvent(e: ChangeEvent): ChangeEvent {
  const stored: ChangeEvent = {
    transactionId: e.transactionId,
    reason: e.reason,
    changeDate: e.changeDate,
    residentCode: e.residentCode,
    values: identityInfoOf(e.values),
  };
  return e.movedOverseas === undefined ? stored : { ...stored, movedOverseas: e.movedOverseas };
}

import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityInfo, IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { IndividualNumber } from '../domain/resident/IndividualNumber.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { IdentityStore } from './ports.ts';

/*
 * Builders for the storage contract suite (contract.ts): deterministic synthetic people, valid
 * check digits, events in the shape the municipality sends them. No real person's data.
 */

/** The tables every store has; the contract counts their rows directly (no soft delete). */
export type StoreTable =
  'identity' | 'identity_history' | 'used_resident_code' | 'rejected_change' | 'outbox';
export const STORE_TABLES: readonly StoreTable[] = [
  'identity',
  'identity_history',
  'used_resident_code',
  'rejected_change',
  'outbox',
];

/** What a store implementation hands the contract for one test. */
export type StoreUnderTest = {
  readonly store: IdentityStore;
  /** Rows in `table`, counted by a raw query on a separate connection, not through the port. */
  countRows(table: StoreTable): Promise<number>;
  cleanup(): Promise<void>;
};

export const date = (s: string): CalendarDate => s as CalendarDate;

export const residentCode = (n: number): ResidentCode =>
  completeWithCheckDigit('resident-code', String(n).padStart(10, '0')) as ResidentCode;

export const individualNumber = (n: number): IndividualNumber =>
  completeWithCheckDigit('individual-number', String(n).padStart(11, '0')) as IndividualNumber;

/** 東京都千代田区 (local-government code 131016). */
export const CHIYODA = '131016';

const GIVEN = [
  ['太郎', 'タロウ'],
  ['花子', 'ハナコ'],
  ['一郎', 'イチロウ'],
  ['美咲', 'ミサキ'],
  ['健太', 'ケンタ'],
] as const;
/** Family names, one with a variant kanji (髙) and one with an IVS sequence (葛 + U+E0100). */
const FAMILY = [
  ['試験', 'シケン'],
  ['髙橋', 'タカハシ'],
  ['葛\u{E0100}西', 'カサイ'],
] as const;

export function person(n: number, overrides: Partial<IdentityInfo> = {}): IdentityInfo {
  const [family, familyKana] = FAMILY[n % FAMILY.length]!;
  const [given, givenKana] = GIVEN[n % GIVEN.length]!;
  return {
    residentCode: residentCode(n),
    individualNumber: individualNumber(n),
    name: { kanji: `${family}\u3000${given}`, kana: `${familyKana}\u3000${givenKana}` },
    sex: n % 2 === 0 ? 'female' : 'male',
    birthDate: date('1980-04-02'),
    address: `東京都千代田区千代田${n}番地`,
    localGovernmentCode: CHIYODA,
    ...overrides,
  };
}

let transactionCounter = 0;
/** A fresh transaction id (unique within the test process). */
export const txid = (label: string): string => `tx-${label}-${++transactionCounter}`;

export function change(
  reason: ChangeReason,
  values: IdentityInfo,
  changeDate: CalendarDate,
  extra: { residentCode?: ResidentCode; movedOverseas?: boolean; transactionId?: string } = {},
): ChangeEvent {
  return {
    transactionId: extra.transactionId ?? txid(reason),
    reason,
    changeDate,
    residentCode: extra.residentCode ?? values.residentCode,
    values,
    ...(extra.movedOverseas === undefined ? {} : { movedOverseas: extra.movedOverseas }),
  };
}

/** 転入 of a new person: the least constrained way to create a record. */
export const moveIn = (info: IdentityInfo, on: CalendarDate): ChangeEvent =>
  change('move-in', info, on);

/** 転居: same person, new address. */
export const moveWithin = (info: IdentityInfo, address: string, on: CalendarDate): ChangeEvent =>
  change('move-within', { ...info, address }, on);

/** 住民票コードの記載の変更請求: the person asks for a new code. */
export const recode = (info: IdentityInfo, newCode: ResidentCode, on: CalendarDate): ChangeEvent =>
  change('code-change-request', { ...info, residentCode: newCode }, on, {
    residentCode: info.residentCode,
  });

/** A current record for a bulk load (as a register migration would bring it). */
export function loadedRecord(n: number, overrides: Partial<IdentityInfo> = {}): IdentityRecord {
  return {
    ...person(n, overrides),
    status: 'resident',
    lastChange: { reason: 'move-in', date: date('2015-04-01') },
    movedOverseas: false,
    version: 1,
  };
}

/** Row counts of every table, to show that a refused write changed nothing. */
export async function snapshotCounts(sut: StoreUnderTest): Promise<Record<StoreTable, number>> {
  const out = {} as Record<StoreTable, number>;
  for (const t of STORE_TABLES) out[t] = await sut.countRows(t);
  return out;
}

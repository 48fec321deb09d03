import { residentCodeOf } from '../change/change-builders.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError } from '../errors.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import type {
  EntryForm,
  OperationContext,
  OperationResult,
  RegisterOperation,
} from './operations.ts';
import {
  operationNeeds,
  parentCodeOf,
  performOperation,
  subjectCodeOf,
} from './perform-operation.ts';
import type { ResidentRecord } from './ResidentRecord.ts';

/*
 * Builders for the register's tests (domain, store contract, CLI): synthetic people of 千代田区,
 * valid check digits, no real person's data.
 */

export const date = (s: string): CalendarDate => s as CalendarDate;
export const TODAY = date('2024-06-01');
/** 東京都千代田区. */
export const MUNICIPALITY = '131016';
export const code = (n: number): ResidentCode => residentCodeOf(String(n));

export const ADDRESS_A = '東京都千代田区千代田1番1号';
export const ADDRESS_B = '東京都千代田区神田神保町2丁目3番地';
export const ADDRESS_C = '東京都千代田区丸の内3丁目4番5号';
export const DOMICILE = { address: '東京都千代田区千代田1番', headOfFamily: '住基 太郎' };

/** 転入 of 住基 太郎 into a new household, with code `code(1)`. */
export function moveInForm(overrides: Partial<EntryForm> = {}): EntryForm {
  return {
    residentCode: code(1),
    name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
    sex: 'male',
    birthDate: date('1980-05-05'),
    address: ADDRESS_A,
    household: { kind: 'new' },
    registeredDomicile: DOMICILE,
    changeDate: date('2024-04-01'),
    notifiedOn: date('2024-04-05'),
    previousAddress: '大阪府大阪市北区梅田1丁目1番1号',
    ...overrides,
  };
}

/** 転入 of 住基 花子, joining household `householdId` as 妻. */
export function spouseForm(householdId: string, overrides: Partial<EntryForm> = {}): EntryForm {
  return moveInForm({
    residentCode: code(2),
    name: { kanji: '住基 花子', kana: 'ジュウキ ハナコ' },
    sex: 'female',
    birthDate: date('1982-08-08'),
    household: { kind: 'join', householdId, relationship: '妻' },
    ...overrides,
  });
}

export function context(overrides: Partial<OperationContext> = {}): OperationContext {
  return { today: TODAY, transactionId: 'tx-1', municipality: MUNICIPALITY, ...overrides };
}

/**
 * An in-memory register running operations the way the stores do (operationNeeds → context →
 * performOperation → write), with deterministic new codes (from 9000) and household numbers.
 * For tests of sequences of operations; the stores are tested by their own contract.
 */
export class MemoryRegister {
  readonly records = new Map<string, ResidentRecord>();
  readonly usedCodes = new Set<string>();
  #nextCode = 9000;
  #nextHousehold = 1;
  #nextTx = 1;

  perform(op: RegisterOperation, today: CalendarDate = TODAY): OperationResult {
    const subject = subjectCodeOf(op);
    const current = subject === undefined ? undefined : this.records.get(subject);
    const parentCode = parentCodeOf(op);
    const parent = parentCode === undefined ? undefined : this.records.get(parentCode);
    const needs = operationNeeds(op, current, parent);
    let newCode: ResidentCode | undefined;
    if (needs.newResidentCode) {
      do newCode = code(this.#nextCode++);
      while (this.usedCodes.has(newCode));
    }
    const result = performOperation(current, op, {
      today,
      transactionId: `tx-${this.#nextTx++}`,
      municipality: MUNICIPALITY,
      parent,
      ownHousehold:
        needs.ownHouseholdId === undefined ? undefined : this.members(needs.ownHouseholdId),
      joinedHousehold:
        needs.joinHouseholdId === undefined ? undefined : this.members(needs.joinHouseholdId),
      newResidentCode: newCode,
      newHouseholdId: needs.newHousehold ? String(this.#nextHousehold++) : undefined,
      formCodeRetired:
        subject !== undefined && current === undefined ? this.usedCodes.has(subject) : undefined,
    });
    if (current !== undefined) this.records.delete(current.residentCode);
    for (const r of [result.record, ...result.householdChanges]) {
      this.records.set(r.residentCode, r);
      this.usedCodes.add(r.residentCode);
    }
    return result;
  }

  members(householdId: string): ResidentRecord[] {
    return [...this.records.values()].filter(
      (r) => r.householdId === householdId && r.status === 'resident',
    );
  }

  get(c: ResidentCode): ResidentRecord {
    const r = this.records.get(c);
    if (r === undefined) throw new Error(`no record ${c}`);
    return r;
  }
}

/** The RegistryError `fn` throws (fails the test when it throws nothing or something else). */
export function refusal(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected the operation to be refused');
}

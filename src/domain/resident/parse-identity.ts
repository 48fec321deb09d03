import { isChangeReason } from '../change/ChangeReason.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError } from '../errors.ts';
import { identityInfoOf, type IdentityInfo, type IdentityRecord } from './IdentityInfo.ts';
import type { FieldProblem } from './identity-fields.ts';
import {
  addressProblem,
  dateProblem,
  individualNumberProblem,
  localGovernmentCodeFieldProblem,
  nameKanaFieldProblem,
  nameKanjiFieldProblem,
  residentCodeProblem,
  sexProblem,
} from './identity-fields.ts';

/**
 * Validation at the edge: untyped input (a bulk-load row, a decoded wire message, a JSON file)
 * becomes IdentityInfo / IdentityRecord, or a RegistryError('invalid', "<field>: <problem>",
 * <reason>) naming the first bad field. The result is a fresh object with exactly the items of
 * 本人確認情報 — anything else the input carries is dropped (R1: nothing more is held) — and the
 * strings as given (names keep variant kanji and IVS).
 *
 * Hand-written rather than zod: it runs for each of 10 million rows in a bulk load, and the good
 * path here allocates nothing but the result (measured ≈ 1 µs per row, see docs/DOMAIN.md).
 *
 * Reasons: `identity.not-an-object`, `identity.missing-field`, and the field reasons of
 * `identity-fields.ts` (`resident-code.malformed`, `resident-code.check-digit`,
 * `individual-number.*`, `date.malformed`, `sex.invalid`, `name.empty`, `name.kana-invalid`,
 * `address.empty`, `local-government-code.*`), plus for records `record.status`,
 * `record.last-change-reason`, `record.moved-overseas`, `record.version`.
 */

const fail = (field: string, p: FieldProblem): never => {
  throw new RegistryError('invalid', `${field}: ${p.message}`, p.reason);
};

const missing = (field: string): never => {
  throw new RegistryError('invalid', `${field}: is missing`, 'identity.missing-field');
};

const notAnObject = (what: string): never => {
  throw new RegistryError('invalid', `${what}: must be an object`, 'identity.not-an-object');
};

type Row = Record<string, unknown>;

function present(row: Row, field: string): unknown {
  const v = row[field];
  return v === undefined ? missing(field) : v;
}

/** Checks the identity items of `input`; returns it as a Row (throws on the first bad field). */
function checkIdentity(input: unknown): Row {
  if (typeof input !== 'object' || input === null) return notAnObject('identity');
  const row = input as Row;

  const p1 = residentCodeProblem(present(row, 'residentCode'));
  if (p1) fail('residentCode', p1);

  const p2 = individualNumberProblem(row.individualNumber);
  if (p2) fail('individualNumber', p2);

  const name = present(row, 'name');
  if (typeof name !== 'object' || name === null) notAnObject('name');
  const n = name as Row;
  if (n.kanji === undefined) missing('name.kanji');
  if (n.kana === undefined) missing('name.kana');
  const p3 = nameKanjiFieldProblem(n);
  if (p3) fail('name.kanji', p3);
  const p4 = nameKanaFieldProblem(n);
  if (p4) fail('name.kana', p4);

  const p5 = sexProblem(present(row, 'sex'));
  if (p5) fail('sex', p5);

  const p6 = dateProblem(present(row, 'birthDate'));
  if (p6) fail('birthDate', p6);

  const p7 = addressProblem(present(row, 'address'));
  if (p7) fail('address', p7);

  const p8 = localGovernmentCodeFieldProblem(present(row, 'localGovernmentCode'));
  if (p8) fail('localGovernmentCode', p8);
  return row;
}

export function parseIdentityInfo(input: unknown): IdentityInfo {
  // checkIdentity proved every item's format; the projection keeps exactly those items.
  return identityInfoOf(checkIdentity(input) as unknown as IdentityInfo);
}

export function parseIdentityRecord(input: unknown): IdentityRecord {
  const row = checkIdentity(input);

  const status = present(row, 'status');
  if (status !== 'resident' && status !== 'removed') {
    fail('status', { reason: 'record.status', message: "must be 'resident' or 'removed'" });
  }

  const lastChange = present(row, 'lastChange');
  if (typeof lastChange !== 'object' || lastChange === null) return notAnObject('lastChange');
  const lc = lastChange as Row;
  const reason = lc.reason === undefined ? missing('lastChange.reason') : lc.reason;
  if (typeof reason !== 'string' || !isChangeReason(reason)) {
    fail('lastChange.reason', {
      reason: 'record.last-change-reason',
      message: 'must be one of the ten change reasons',
    });
  }
  const date = lc.date === undefined ? missing('lastChange.date') : lc.date;
  const p = dateProblem(date);
  if (p) fail('lastChange.date', p);

  const movedOverseas = present(row, 'movedOverseas');
  if (typeof movedOverseas !== 'boolean') {
    fail('movedOverseas', { reason: 'record.moved-overseas', message: 'must be a boolean' });
  }

  const version = present(row, 'version');
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    fail('version', { reason: 'record.version', message: 'must be a whole number ≥ 0' });
  }

  return {
    ...identityInfoOf(row as unknown as IdentityInfo),
    status: status as IdentityRecord['status'],
    lastChange: {
      reason: reason as IdentityRecord['lastChange']['reason'],
      date: date as CalendarDate,
    },
    movedOverseas: movedOverseas as boolean,
    version: version as number,
  };
}

import { CHANGE_REASONS, isChangeReason, type ChangeReason } from '../change/ChangeReason.ts';
import { RegistryError } from '../errors.ts';
import { kanaReadingProblem, kanjiNameProblem } from '../name/PersonName.ts';
import {
  addressProblem,
  dateProblem,
  individualNumberProblem,
  residentCodeProblem,
  sexProblem,
  type FieldProblem,
} from '../resident/identity-fields.ts';
import type { RegisterOperation } from './operations.ts';

/*
 * Format checks of the counter forms. Every operation runs them first, so a form built in code
 * and a form read from JSON (`parseRegisterOperation`) are held to the same rules; the first bad
 * field is a RegistryError('invalid') naming it (Japanese label first) with a stable reason: the
 * reasons of identity-fields.ts for the items of 本人確認情報, `register.form.*` for the rest.
 */

type Row = Record<string, unknown>;
type Check = (value: unknown, path: string) => void;
type FieldSpec = { readonly check: Check; readonly required: boolean };
type FormSpec = Readonly<Record<string, FieldSpec>>;

const LABELS: Readonly<Record<string, string>> = {
  residentCode: '住民票コード',
  individualNumber: '個人番号',
  name: '氏名',
  'name.kanji': '氏名',
  'name.kana': '氏名のよみがな',
  sex: '性別',
  birthDate: '生年月日',
  address: '住所',
  changeDate: '異動年月日',
  notifiedOn: '届出年月日',
  previousAddress: '前住所',
  destination: '転出先',
  overseas: '国外転出',
  household: '世帯',
  'household.kind': '世帯の指定',
  'household.householdId': '世帯番号',
  'household.relationship': '続柄',
  relationship: '続柄',
  registeredDomicile: '本籍',
  'registeredDomicile.address': '本籍',
  'registeredDomicile.headOfFamily': '筆頭者',
  nationality: '国籍・地域',
  parentCode: '父母の住民票コード',
  newHeadCode: '新しい世帯主の住民票コード',
  corrections: '修正事項',
};

const labelOf = (path: string): string =>
  LABELS[path] ?? LABELS[path.replace(/^corrections\./, '')] ?? path;

/** RegistryError('invalid') for one field of a form. */
export function formError(path: string, reason: string, message: string): RegistryError {
  return new RegistryError('invalid', `${labelOf(path)}が不正です / ${path} ${message}`, reason);
}

const fromProblem =
  (problemOf: (v: unknown) => FieldProblem | undefined): Check =>
  (v, path) => {
    const p = problemOf(v);
    if (p) throw formError(path, p.reason, p.message);
  };

const both =
  (...checks: readonly Check[]): Check =>
  (v, path) => {
    for (const c of checks) c(v, path);
  };

const req = (check: Check): FieldSpec => ({ check, required: true });
const opt = (check: Check): FieldSpec => ({ check, required: false });

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

const HAS_NON_SPACE = /\S/u;

/** A non-empty string of at most `max` UTF-16 code units (the wire's limits, ChangeNotice). */
const text =
  (max: number): Check =>
  (v, path) => {
    if (typeof v !== 'string' || !HAS_NON_SPACE.test(v))
      throw formError(path, 'register.form.empty', 'must be a non-empty string');
    if (v.length > max)
      throw formError(path, 'register.form.too-long', `must be at most ${max} characters`);
  };

export const NAME_MAX = 200;
export const ADDRESS_MAX = 500;
const RELATIONSHIP_MAX = 20;

const residentCode = fromProblem(residentCodeProblem);
const individualNumber = fromProblem(individualNumberProblem);
const date = fromProblem(dateProblem);
const sex = fromProblem(sexProblem);
const address = both(fromProblem(addressProblem), text(ADDRESS_MAX));
const relationship = text(RELATIONSHIP_MAX);
const nationality = text(NAME_MAX);

const boolean: Check = (v, path) => {
  if (typeof v !== 'boolean')
    throw formError(path, 'register.form.not-boolean', 'must be a boolean');
};

const name: Check = (v, path) =>
  objectWith(v, path, {
    kanji: req(both(fromProblem(kanjiNameProblem), text(NAME_MAX))),
    kana: req(both(fromProblem(kanaReadingProblem), text(NAME_MAX))),
  });

const registeredDomicile: Check = (v, path) =>
  objectWith(v, path, {
    address: { check: address, required: true },
    headOfFamily: { check: text(NAME_MAX), required: true },
  });

const householdChoice =
  (kinds: readonly string[]): Check =>
  (v, path) => {
    if (!isRow(v)) throw formError(path, 'register.form.not-an-object', 'must be an object');
    if (typeof v.kind !== 'string' || !kinds.includes(v.kind))
      throw formError(
        `${path}.kind`,
        'register.form.household-kind',
        `must be one of ${kinds.join(', ')}`,
      );
    objectWith(
      v,
      path,
      v.kind === 'join'
        ? {
            kind: { check: () => undefined, required: true },
            householdId: { check: text(NAME_MAX), required: true },
            relationship: { check: relationship, required: true },
          }
        : { kind: { check: () => undefined, required: true } },
    );
  };

/** Checks that `v` is an object with exactly the fields of `spec` (required ones present). */
function objectWith(v: unknown, path: string, spec: FormSpec): asserts v is Row {
  if (!isRow(v)) throw formError(path, 'register.form.not-an-object', 'must be an object');
  const prefix = path === '' ? '' : `${path}.`;
  for (const key of Object.keys(v)) {
    if (!Object.hasOwn(spec, key))
      throw new RegistryError(
        'invalid',
        `不明な項目です / unknown field ${prefix}${key}`,
        'register.form.unknown-field',
      );
  }
  for (const [key, field] of Object.entries(spec)) {
    const value = v[key];
    if (value === undefined) {
      if (field.required)
        throw new RegistryError(
          'invalid',
          `${labelOf(prefix + key)}がありません / ${prefix}${key} is missing`,
          'register.form.missing-field',
        );
      continue;
    }
    field.check(value, prefix + key);
  }
}

const ENTRY: FormSpec = {
  residentCode: opt(residentCode),
  individualNumber: opt(individualNumber),
  name: req(name),
  sex: req(sex),
  birthDate: req(date),
  address: req(address),
  household: req(householdChoice(['new', 'join'])),
  registeredDomicile: opt(registeredDomicile),
  nationality: opt(nationality),
  changeDate: req(date),
  notifiedOn: opt(date),
  previousAddress: opt(address),
};

const REMOVAL: FormSpec = {
  residentCode: req(residentCode),
  changeDate: req(date),
  notifiedOn: opt(date),
  newHeadCode: opt(residentCode),
};

const RECODE: FormSpec = {
  residentCode: req(residentCode),
  changeDate: req(date),
  notifiedOn: opt(date),
};

const CORRECTIONS: FormSpec = {
  name: opt(name),
  sex: opt(sex),
  birthDate: opt(date),
  individualNumber: opt(individualNumber),
  address: opt(address),
  previousAddress: opt(address),
  relationship: opt(relationship),
  registeredDomicile: opt(registeredDomicile),
  nationality: opt(nationality),
};

const FORMS: { readonly [R in ChangeReason]: FormSpec } = {
  'move-in': ENTRY,
  'entry-by-authority': ENTRY,
  birth: {
    parentCode: req(residentCode),
    individualNumber: opt(individualNumber),
    name: req(name),
    sex: req(sex),
    birthDate: req(date),
    relationship: opt(relationship),
    registeredDomicile: opt(registeredDomicile),
    nationality: opt(nationality),
    notifiedOn: req(date),
  },
  'move-out': { ...REMOVAL, destination: req(address), overseas: opt(boolean) },
  death: REMOVAL,
  'deletion-by-authority': REMOVAL,
  'move-within': {
    residentCode: req(residentCode),
    address: req(address),
    changeDate: req(date),
    notifiedOn: req(date),
    household: opt(householdChoice(['new', 'join', 'keep'])),
    newHeadCode: opt(residentCode),
  },
  'correction-by-authority': {
    residentCode: req(residentCode),
    changeDate: req(date),
    corrections: req((v, path) => objectWith(v, path, CORRECTIONS)),
  },
  'code-change-request': RECODE,
  'code-entry-by-authority': RECODE,
};

/** The form fields of a change reason, for help texts and UIs. */
export const formFields = (reason: ChangeReason): readonly string[] => Object.keys(FORMS[reason]);

/** The items 職権修正等 may correct (the fields of its `corrections`), for help texts and UIs. */
export const CORRECTION_FIELDS: readonly string[] = Object.keys(CORRECTIONS);

/**
 * Checks the form of `reason`: exactly its fields, required ones present, each well-formed.
 * Throws RegistryError('invalid') naming the first bad field.
 */
export function checkForm(reason: ChangeReason, form: unknown): void {
  objectWith(form, '', FORMS[reason]);
}

/**
 * A counter operation from untyped input (a JSON form): `{ reason, form }`, where `reason` is one
 * of the ten change reasons (code name, e.g. `move-in`, or the Japanese term, e.g. 転入).
 */
export function parseRegisterOperation(input: unknown): RegisterOperation {
  if (!isRow(input))
    throw formError('operation', 'register.form.not-an-object', 'must be an object');
  const reason = changeReasonFromName(input.reason);
  checkForm(reason, input.form);
  return { reason, form: input.form } as RegisterOperation;
}

/** A change reason by its code name (`move-in`) or its Japanese term (転入). */
export function changeReasonFromName(name: unknown): ChangeReason {
  if (typeof name === 'string') {
    if (isChangeReason(name)) return name;
    for (const [reason, { ja }] of Object.entries(CHANGE_REASONS))
      if (ja === name) return reason as ChangeReason;
  }
  throw new RegistryError(
    'invalid',
    `異動事由が不正です / unknown operation ${JSON.stringify(name)}: one of the ten change reasons (move-in, 転入, …)`,
    'register.form.reason',
  );
}

import { isCalendarDate } from '../dates/CalendarDate.ts';
import { localGovernmentCodeProblem } from '../local-government/LocalGovernmentCode.ts';
import { kanaReadingProblem, kanjiNameProblem } from '../name/PersonName.ts';
import { isIndividualNumber } from './IndividualNumber.ts';
import { isResidentCode } from './ResidentCode.ts';

/**
 * Format checks of the fields of 本人確認情報, one function per field, shared by the edge parser
 * (`parse-identity.ts`, bulk load and wire input) and the change validator (R19: the CS checks
 * formats and codes). Each returns undefined when the value is fine, or the problem with a stable
 * reason. Straight-line code without allocation on the good path: it runs for every row of a
 * 10-million-row load.
 */
export type FieldProblem = { readonly reason: string; readonly message: string };

const problem = (reason: string, message: string): FieldProblem => ({ reason, message });

const HAS_NON_SPACE = /\S/u;
const DIGITS_11 = /^\d{11}$/;
const DIGITS_12 = /^\d{12}$/;

export function residentCodeProblem(v: unknown): FieldProblem | undefined {
  if (typeof v === 'string' && isResidentCode(v)) return undefined; // the common case first
  if (typeof v !== 'string' || !DIGITS_11.test(v))
    return problem('resident-code.malformed', 'must be 11 digits');
  return problem('resident-code.check-digit', 'has a wrong check digit');
}

/** `undefined` and `null` mean "no individual number" and are fine. */
export function individualNumberProblem(v: unknown): FieldProblem | undefined {
  if (v === undefined || v === null || (typeof v === 'string' && isIndividualNumber(v)))
    return undefined;
  if (typeof v !== 'string' || !DIGITS_12.test(v))
    return problem('individual-number.malformed', 'must be 12 digits');
  return problem('individual-number.check-digit', 'has a wrong check digit');
}

export function dateProblem(v: unknown): FieldProblem | undefined {
  if (typeof v !== 'string' || !isCalendarDate(v))
    return problem('date.malformed', 'must be a date YYYY-MM-DD');
  return undefined;
}

export function sexProblem(v: unknown): FieldProblem | undefined {
  if (v !== 'male' && v !== 'female') return problem('sex.invalid', "must be 'male' or 'female'");
  return undefined;
}

const NOT_A_NAME = problem('name.empty', 'is missing (name must be an object { kanji, kana })');

/** The kanji part of `name` ({ kanji, kana }). */
export function nameKanjiFieldProblem(name: unknown): FieldProblem | undefined {
  if (typeof name !== 'object' || name === null) return NOT_A_NAME;
  return kanjiNameProblem((name as { kanji?: unknown }).kanji);
}

/** The kana part of `name` ({ kanji, kana }). */
export function nameKanaFieldProblem(name: unknown): FieldProblem | undefined {
  if (typeof name !== 'object' || name === null) return NOT_A_NAME;
  return kanaReadingProblem((name as { kana?: unknown }).kana);
}

export function addressProblem(v: unknown): FieldProblem | undefined {
  if (typeof v !== 'string' || !HAS_NON_SPACE.test(v))
    return problem('address.empty', 'must be a non-empty string');
  return undefined;
}

export function localGovernmentCodeFieldProblem(v: unknown): FieldProblem | undefined {
  const reason = localGovernmentCodeProblem(v);
  if (reason === undefined) return undefined;
  return problem(
    reason,
    reason === 'local-government-code.check-digit'
      ? 'has a wrong check digit'
      : 'must be 6 digits (JIS X 0402 + check digit)',
  );
}

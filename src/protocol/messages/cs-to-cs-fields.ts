import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { Sex } from '../../domain/resident/IdentityInfo.ts';
import { dateProblem, residentCodeProblem } from '../../domain/resident/identity-fields.ts';
import type { BodyReader } from './BodyReader.ts';

/*
 * The fields the CS-to-CS messages share (WideAreaCopy.ts, MoveOutCertificate.ts; R24, R25): the
 * request id the asking CS chooses, the operator card at its counter, names and addresses as
 * written, dates and resident codes checked by the domain's own field checks.
 */

export const REQUEST_ID = {
  max: 100,
  pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/,
  patternText: 'letters, digits and . _ : - (1–100)',
};
export const OPERATOR_ID = {
  max: 64,
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  patternText: 'an operator id: letters, digits and . _ - (1–64)',
};
export const NAME = { max: 200, noControl: true };
export const ADDRESS = { max: 500, noControl: true };
export const SEXES: readonly Sex[] = ['male', 'female'];

export const readDate = (r: BodyReader, field: string): CalendarDate => {
  r.check(field, dateProblem(r.value(field)));
  return r.value(field) as CalendarDate;
};
export const readOptionalDate = (r: BodyReader, field: string): CalendarDate | undefined =>
  r.has(field) ? readDate(r, field) : undefined;

export const readResidentCode = (r: BodyReader, field: string): string => {
  r.check(field, residentCodeProblem(r.value(field)));
  return r.value(field) as string;
};
export const readOptionalResidentCode = (r: BodyReader, field: string): string | undefined =>
  r.has(field) ? readResidentCode(r, field) : undefined;

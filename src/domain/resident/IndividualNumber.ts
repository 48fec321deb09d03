import { hasValidCheckDigit } from '../check-digit.ts';
import { RegistryError } from '../errors.ts';

/** 個人番号 (My Number): 11 digits + check digit (2014 ordinance). Optional on every record. */
export type IndividualNumber = string & { readonly __brand: 'IndividualNumber' };

export const isIndividualNumber = (s: string): s is IndividualNumber =>
  hasValidCheckDigit('individual-number', s);

export function parseIndividualNumber(s: string): IndividualNumber {
  if (!/^\d{12}$/.test(s)) {
    throw new RegistryError(
      'invalid',
      `individual number must be 12 digits`,
      'individual-number.malformed',
    );
  }
  if (!isIndividualNumber(s)) {
    throw new RegistryError(
      'invalid',
      `individual number has a wrong check digit`,
      'individual-number.check-digit',
    );
  }
  return s;
}

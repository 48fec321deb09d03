import { completeWithCheckDigit, hasValidCheckDigit } from '../check-digit.ts';
import { RegistryError } from '../errors.ts';

/** 住民票コード: 10 random digits + check digit (R7). */
export type ResidentCode = string & { readonly __brand: 'ResidentCode' };

export const isResidentCode = (s: string): s is ResidentCode =>
  hasValidCheckDigit('resident-code', s);

export function parseResidentCode(s: string): ResidentCode {
  if (!/^\d{11}$/.test(s)) {
    throw new RegistryError(
      'invalid',
      `resident code must be 11 digits: ${JSON.stringify(s)}`,
      'resident-code.malformed',
    );
  }
  if (!isResidentCode(s)) {
    throw new RegistryError(
      'invalid',
      `resident code has a wrong check digit: ${s}`,
      'resident-code.check-digit',
    );
  }
  return s;
}

/**
 * A new resident code from 10 random digits. The randomness is a parameter (the domain has none of
 * its own): pass a CSPRNG in production. `isTaken` must answer for every code in use or ever used;
 * codes are drawn again until a free one is found (R7: never reissued).
 */
export function newResidentCode(
  randomDigits: (count: number) => string,
  isTaken: (code: ResidentCode) => boolean,
  maxAttempts = 1000,
): ResidentCode {
  for (let i = 0; i < maxAttempts; i++) {
    const code = drawResidentCode(randomDigits);
    if (!isTaken(code)) return code;
  }
  throw residentCodesExhausted();
}

/** One candidate code from 10 random digits (the caller checks that it is free). */
export function drawResidentCode(randomDigits: (count: number) => string): ResidentCode {
  const payload = randomDigits(10);
  if (!/^\d{10}$/.test(payload)) throw new RangeError('randomDigits must return 10 digits');
  return completeWithCheckDigit('resident-code', payload) as ResidentCode;
}

export const residentCodesExhausted = (): RegistryError =>
  new RegistryError('unavailable', 'no free resident code found', 'resident-code.exhausted');

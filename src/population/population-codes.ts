import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { IndividualNumber } from '../domain/resident/IndividualNumber.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { FeistelPermutation } from './feistel-permutation.ts';

/** 10-digit resident-code payloads: [0, 10^10). */
export const RESIDENT_CODE_SPACE = 10_000_000_000;
/** 11-digit individual-number payloads: [0, 10^11). */
export const INDIVIDUAL_NUMBER_SPACE = 100_000_000_000;

/**
 * Resident codes and individual numbers for row indexes, unique across a whole file without
 * remembering any: row i gets payload P(i) of a keyed bijection P of the payload space
 * (feistel-permutation.ts), zero-padded, plus its check digit. Distinct rows have distinct
 * indexes, hence distinct payloads, hence distinct codes. Two independent keys (streams
 * 'resident-code' and 'individual-number' of the seed) keep the two numbers uncorrelated.
 */
export class PopulationCodes {
  private readonly residentCodes: FeistelPermutation;
  private readonly individualNumbers: FeistelPermutation;

  constructor(seed: string) {
    this.residentCodes = new FeistelPermutation(RESIDENT_CODE_SPACE, seed, 'resident-code');
    this.individualNumbers = new FeistelPermutation(
      INDIVIDUAL_NUMBER_SPACE,
      seed,
      'individual-number',
    );
  }

  residentCode(rowIndex: number): ResidentCode {
    const payload = String(this.residentCodes.permute(rowIndex)).padStart(10, '0');
    return completeWithCheckDigit('resident-code', payload) as ResidentCode;
  }

  individualNumber(rowIndex: number): IndividualNumber {
    const payload = String(this.individualNumbers.permute(rowIndex)).padStart(11, '0');
    return completeWithCheckDigit('individual-number', payload) as IndividualNumber;
  }

  /** The row index a resident code of this seed was given to (for tests and diagnostics). */
  rowIndexOfResidentCode(code: string): number {
    return this.residentCodes.invert(Number(code.slice(0, 10)));
  }
}

import { randomInt } from 'node:crypto';
import {
  drawResidentCode,
  residentCodesExhausted,
  type ResidentCode,
} from '../domain/resident/ResidentCode.ts';
import type { IdentityStore } from '../storage/ports.ts';

/** `count` decimal digits from the operating system's CSPRNG (node:crypto, uniform per digit). */
export function cryptoRandomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(randomInt(10));
  return digits;
}

/**
 * A new 住民票コード (R7) for a birth, an entry by authority or a change on request: 10 digits from
 * a CSPRNG plus the check digit, drawn again until the store says the code was never used (in use
 * or used before: codes are never reissued). With 10^10 codes and ~10^8 ever used, a draw
 * collides about once in a hundred, so the attempt limit is never reached in practice.
 */
export async function issueResidentCode(
  store: Pick<IdentityStore, 'isResidentCodeUsed'>,
  randomDigits: (count: number) => string = cryptoRandomDigits,
  maxAttempts = 100,
): Promise<ResidentCode> {
  for (let i = 0; i < maxAttempts; i++) {
    const code = drawResidentCode(randomDigits);
    if (!(await store.isResidentCodeUsed(code))) return code;
  }
  throw residentCodesExhausted();
}

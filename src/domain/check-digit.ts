/**
 * The three check-digit rules of the system, kept in one place.
 *
 * - 住民票コード (resident code, R7): 10 digits + 1. Weights 5,4,3,2,7,6,5,4,3,2 left to right;
 *   r = S mod 11; check = 0 if r ≤ 1 else 11 − r. The official 告示 text could not be obtained;
 *   this is the rule given in the foundation issue (example 2472705960 → 24727059608).
 * - 個人番号 (individual number): 11 digits + 1 (総務省令 2014, 第5条). Weights 6,5,4,3,2,7,6,5,4,3,2;
 *   r = S mod 11; check = 0 if r ≤ 1 else 11 − r (example 12345678901 → 123456789018).
 * - 地方公共団体コード (local-government code, JIS X 0402): 5 digits + 1. Weights 6,5,4,3,2;
 *   check = (11 − S mod 11) mod 10 (13101 → 131016, 01101 → 011011).
 */
export type CheckDigitScheme = 'resident-code' | 'individual-number' | 'local-government-code';

const SCHEMES: Record<
  CheckDigitScheme,
  { weights: readonly number[]; check: (sum: number) => number }
> = {
  'resident-code': { weights: [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], check: mod11LowIsZero },
  'individual-number': { weights: [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2], check: mod11LowIsZero },
  'local-government-code': { weights: [6, 5, 4, 3, 2], check: (s) => (11 - (s % 11)) % 10 },
};

function mod11LowIsZero(sum: number): number {
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** Number of digits before the check digit. */
export const payloadLength = (scheme: CheckDigitScheme): number => SCHEMES[scheme].weights.length;

/** The check digit for `payload` (digits only, exactly `payloadLength(scheme)` of them). */
export function computeCheckDigit(scheme: CheckDigitScheme, payload: string): number {
  const { weights, check } = SCHEMES[scheme];
  if (payload.length !== weights.length || !/^\d+$/.test(payload)) {
    throw new RangeError(`${scheme}: expected ${weights.length} digits`);
  }
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (payload.charCodeAt(i) - 48) * weights[i]!;
  return check(sum);
}

/** True when `full` has the right length, only digits, and a correct check digit. */
export function hasValidCheckDigit(scheme: CheckDigitScheme, full: string): boolean {
  // One pass, no allocation: this runs for every row of a bulk load.
  const { weights, check } = SCHEMES[scheme];
  const n = weights.length;
  if (full.length !== n + 1) return false;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = full.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * weights[i]!;
  }
  const last = full.charCodeAt(n) - 48;
  return last >= 0 && last <= 9 && check(sum) === last;
}

export const completeWithCheckDigit = (scheme: CheckDigitScheme, payload: string): string =>
  payload + String(computeCheckDigit(scheme, payload));

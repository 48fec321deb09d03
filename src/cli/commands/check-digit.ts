import { parseArgs } from 'node:util';
import {
  completeWithCheckDigit,
  hasValidCheckDigit,
  payloadLength,
  type CheckDigitScheme,
} from '../../domain/check-digit.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const CHECK_DIGIT_HELP = `juki check-digit <resident-code | individual-number | local-government-code> NUMBER [--complete] [--json]

  Verifies the check digit of a 住民票コード (resident code, 11 digits), 個人番号 (individual
  number, 12 digits) or 地方公共団体コード (local-government code, 6 digits).
  Exit 0 when valid, 1 when not, 2 on bad usage.

  --complete   NUMBER is given without its check digit: print the full number.
  --json       machine-readable output.`;

const SCHEMES: readonly CheckDigitScheme[] = [
  'resident-code',
  'individual-number',
  'local-government-code',
];
const isScheme = (s: string | undefined): s is CheckDigitScheme =>
  s !== undefined && (SCHEMES as readonly string[]).includes(s);

export function runCheckDigit(args: readonly string[], io: CommandIO): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      complete: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [scheme, number, ...extra] = positionals;
  if (!isScheme(scheme))
    throw new UsageError(
      `unknown number kind ${JSON.stringify(scheme ?? '')}: expected one of ${SCHEMES.join(', ')}`,
    );
  if (number === undefined || extra.length > 0) throw new UsageError('expected exactly one NUMBER');
  const n = payloadLength(scheme);

  if (values.complete) {
    if (!new RegExp(`^\\d{${n}}$`).test(number))
      throw new UsageError(`--complete needs the ${n} digits before the check digit`);
    const full = completeWithCheckDigit(scheme, number);
    if (values.json) printJson(io, { scheme, input: number, full, checkDigit: full.at(-1) });
    else io.out(full);
    return EXIT.ok;
  }

  const valid = hasValidCheckDigit(scheme, number);
  let reason: string | undefined;
  if (!valid) {
    reason = new RegExp(`^\\d{${n + 1}}$`).test(number)
      ? `wrong check digit (expected ${completeWithCheckDigit(scheme, number.slice(0, n)).at(-1)})`
      : `must be ${n + 1} digits`;
  }
  if (values.json) printJson(io, { scheme, number, valid, ...(reason ? { reason } : {}) });
  else io.out(valid ? `valid: ${number}` : `invalid: ${number}: ${reason}`);
  return valid ? EXIT.ok : EXIT.failed;
}

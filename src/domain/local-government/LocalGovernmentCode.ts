import { completeWithCheckDigit, hasValidCheckDigit } from '../check-digit.ts';
import { RegistryError } from '../errors.ts';

/**
 * 地方公共団体コード (local-government code): the 5-digit JIS X 0402 code (2-digit prefecture code of
 * JIS X 0401 + 3-digit municipality number) followed by its check digit — 6 digits in all, kept as
 * text because of the leading zero (北海道 = 010006). The form used everywhere in this system.
 */
export type LocalGovernmentCode = string & { readonly __brand: 'LocalGovernmentCode' };

/** 都道府県コード: the first two digits, 01 (北海道) to 47 (沖縄県). */
export type PrefectureCode = string & { readonly __brand: 'PrefectureCode' };

export const isLocalGovernmentCode = (s: string): s is LocalGovernmentCode =>
  hasValidCheckDigit('local-government-code', s) && isPrefectureCode(s.slice(0, 2));

export const isPrefectureCode = (s: string): s is PrefectureCode =>
  /^(0[1-9]|[1-3]\d|4[0-7])$/.test(s);

/** Why `s` is not a local-government code, as a stable reason, or undefined when it is one. */
export function localGovernmentCodeProblem(s: unknown): string | undefined {
  if (typeof s !== 'string' || !/^\d{6}$/.test(s)) return 'local-government-code.malformed';
  if (!isPrefectureCode(s.slice(0, 2))) return 'local-government-code.unknown-prefecture';
  if (!hasValidCheckDigit('local-government-code', s)) return 'local-government-code.check-digit';
  return undefined;
}

const MESSAGES: Record<string, string> = {
  'local-government-code.malformed': 'must be 6 digits (5-digit JIS X 0402 code + check digit)',
  'local-government-code.unknown-prefecture': 'prefecture part must be 01–47',
  'local-government-code.check-digit': 'has a wrong check digit',
};

/**
 * Parses a 6-digit code (check digit verified) or a 5-digit JIS X 0402 code (check digit added).
 * Throws RegistryError('invalid', …, 'local-government-code.{malformed,unknown-prefecture,check-digit}').
 */
export function parseLocalGovernmentCode(s: string): LocalGovernmentCode {
  const full = /^\d{5}$/.test(s) ? completeWithCheckDigit('local-government-code', s) : s;
  const problem = localGovernmentCodeProblem(full);
  if (problem) {
    throw new RegistryError(
      'invalid',
      `団体コード ${JSON.stringify(s)} ${MESSAGES[problem]}`,
      problem,
    );
  }
  return full as LocalGovernmentCode;
}

/** The prefecture code of a local-government code. */
export const prefectureCodeOf = (code: LocalGovernmentCode): PrefectureCode =>
  code.slice(0, 2) as PrefectureCode;

/** The 団体コード of the prefecture itself: prefecture code + '000' + check digit (東京都 = 130001). */
export const prefectureLocalGovernmentCode = (p: PrefectureCode): LocalGovernmentCode =>
  completeWithCheckDigit('local-government-code', `${p}000`) as LocalGovernmentCode;

import { RegistryError } from '../errors.ts';
import type { PersonName } from '../resident/IdentityInfo.ts';

/**
 * 氏名 and よみがな as stored and displayed. Storage and display keep the name exactly as written:
 * no normalisation, no trimming of inner characters, variant kanji (髙, 﨑) and IVS sequences
 * (葛 + U+E0100) untouched — the register prints what the resident's record says. Only the match
 * key (`name-matching.ts`) folds variants away.
 */

/**
 * What a よみがな (kana reading) may contain: full-width katakana (ァ–ヺ, ヽヾ, small ㇰ–ㇿ) and
 * hiragana (ぁ–ゖ, ゝゞ), the long vowel mark ー, the middle dot ・ (foreign names), and spaces
 * (ASCII or U+3000) between parts; at least one kana. Half-width katakana and Latin letters are
 * refused: the sender normalises them (NFKC turns ｶﾀｶﾅ into カタカナ) before the record is written.
 */
const KANA_READING =
  /^[\u3041-\u3096\u309D\u309E\u30A1-\u30FA\u30FC-\u30FE\u31F0-\u31FF\u30FB \u3000]+$/u;
const HAS_NON_SPACE = /\S/u;
const HAS_KANA = /[\u3041-\u3096\u30A1-\u30FA\u31F0-\u31FF]/u;

export function isKanaReading(s: string): boolean {
  return KANA_READING.test(s) && HAS_KANA.test(s);
}

/** A problem with one part of a name: stable reason + message (without the field's name). */
export type NamePartProblem = {
  readonly reason: 'name.empty' | 'name.kana-invalid';
  readonly message: string;
};

/** Why `kanji` cannot be a stored name, or undefined. Only emptiness (after white space) is refused. */
export function kanjiNameProblem(kanji: unknown): NamePartProblem | undefined {
  if (typeof kanji !== 'string') return { reason: 'name.empty', message: 'must be a string' };
  if (!HAS_NON_SPACE.test(kanji)) return { reason: 'name.empty', message: 'is empty' };
  return undefined;
}

/** Why `kana` cannot be a stored reading, or undefined. */
export function kanaReadingProblem(kana: unknown): NamePartProblem | undefined {
  if (typeof kana !== 'string') return { reason: 'name.empty', message: 'must be a string' };
  if (!HAS_NON_SPACE.test(kana)) return { reason: 'name.empty', message: 'is empty' };
  if (!isKanaReading(kana)) {
    return {
      reason: 'name.kana-invalid',
      message: 'must be katakana or hiragana (ー, ・ and spaces allowed)',
    };
  }
  return undefined;
}

/**
 * A PersonName from raw parts, validated, with the strings exactly as given (same code points).
 * Throws RegistryError('invalid', …, 'name.empty' | 'name.kana-invalid').
 */
export function parsePersonName(kanji: unknown, kana: unknown): PersonName {
  const k = kanjiNameProblem(kanji);
  if (k) throw new RegistryError('invalid', `name.kanji ${k.message}`, k.reason);
  const r = kanaReadingProblem(kana);
  if (r) throw new RegistryError('invalid', `name.kana ${r.message}`, r.reason);
  return { kanji: kanji as string, kana: kana as string };
}

/** The name for display and print: the kanji exactly as stored (IVS sequences included). */
export const displayName = (name: PersonName): string => name.kanji;

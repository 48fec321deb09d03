import { addressMatchKey } from '../address/address-key.ts';
import { kanaMatchKey, normalizeForMatch } from '../name/name-matching.ts';

/**
 * The normalised keys a search matches on (R13): the same functions build the keys a store writes
 * next to each record and the keys of a query, so "exact" and "prefix" mean the same thing in the
 * store, in `matchesPlan` and in the tests.
 *
 * - name: `normalizeForMatch` (NFKC, variation selectors and white space removed);
 * - reading: `kanaMatchKey` (the same, hiragana folded to katakana);
 * - address: `addressMatchKey` (NFKC, variation selectors and white space removed, ヶ/ヵ → ケ/カ).
 */
export const nameKey = normalizeForMatch;
export const kanaKey = kanaMatchKey;
export const addressKey = addressMatchKey;

export type SearchKeys = {
  readonly nameKey: string;
  readonly kanaKey: string;
  readonly addressKey: string;
};

export function searchKeysOf(r: {
  readonly name: { readonly kanji: string; readonly kana: string };
  readonly address: string;
}): SearchKeys {
  return {
    nameKey: nameKey(r.name.kanji),
    kanaKey: kanaKey(r.name.kana),
    addressKey: addressKey(r.address),
  };
}

/**
 * The least string greater than every string that starts with `prefix`, in code point order (the
 * order of SQLite's BINARY collation over UTF-8 and of PostgreSQL's "C" collation): the prefix with
 * its last code point incremented. A store finds the keys starting with `prefix` as the range
 * `key >= prefix AND key < prefixUpperBound(prefix)`. `undefined` when there is no such string
 * (every code point is U+10FFFF): then `key >= prefix` alone is the range's start, and the caller
 * must also check the prefix.
 *
 * Not `prefix + '\uffff'`: characters above U+FFFF (𠮷, 𩸽, common in names) encode after U+FFFF
 * in UTF-8, so that bound would miss names continuing with one of them.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate range: no character lies there.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

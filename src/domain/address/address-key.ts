/**
 * The address match key and its mapping back to the address as written. Splitting an address
 * (`split-address.ts`) matches table names against this key and cuts the ORIGINAL string at the
 * matching unit boundaries, so every part it returns is exactly as the resident's record wrote it.
 *
 * Per unit (a code point with the marks that belong to it: combining marks, the half-width voiced
 * marks ﾞﾟ, variation selectors):
 * - Unicode NFKC (full-width digits and Latin → ASCII, half-width katakana → full-width, ㍻ → 平成);
 * - variation selectors removed (IVS 葛 + U+E0100 → 葛);
 * - small ヶ / ヵ folded to ケ / カ: the ministry writes 茅ヶ崎市 but 龍ケ崎市 and 鎌ケ谷市, and
 *   residents write either;
 * - white space (any, U+3000 included) dropped.
 */

/** A code point that belongs to the character before it (combining mark, ﾞﾟ, variation selector). */
function isMark(c: number): boolean {
  return (
    (c >= 0x0300 && c <= 0x036f) || // combining diacritical marks
    c === 0x3099 || // combining katakana-hiragana (semi-)voiced sound marks
    c === 0x309a ||
    c === 0xff9e || // half-width ﾞ ﾟ
    c === 0xff9f ||
    (c >= 0xfe00 && c <= 0xfe0f) || // standardized variation selectors
    (c >= 0xe0100 && c <= 0xe01ef) // ideographic variation selectors (IVS)
  );
}
const VARIATION_SELECTORS = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;
const WHITE_SPACE = /\s/gu;

/** The key of one piece of text (used for table names and for whole addresses alike). */
export function addressMatchKey(s: string): string {
  return s
    .replace(VARIATION_SELECTORS, '')
    .normalize('NFKC')
    .replace(WHITE_SPACE, '')
    .replace(/ヶ/g, 'ケ')
    .replace(/ヵ/g, 'カ');
}

/** An address as a key plus, for each key position that falls on a unit boundary, the offsets in the original. */
export type KeyedText = {
  readonly original: string;
  readonly key: string;
  /** startAt[k]: offset in `original` of the unit that produced key[k] (k < key.length). */
  readonly startAt: readonly number[];
  /** endAt[k]: offset in `original` just after the unit that produced key[k − 1] (k ≥ 1). */
  readonly endAt: readonly number[];
  /** boundary[k]: key position k is the start of a unit's key text (or the end of the key). */
  readonly boundary: readonly boolean[];
};

/** True when the text needs the per-unit path: white space or a mark somewhere. */
function needsUnitWork(s: string): boolean {
  if (WHITE_SPACE_ANYWHERE.test(s)) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 0xDB40 is the high surrogate of U+E0100–U+E01EF (IVS).
    if (c >= 0x0300 && (isMark(c) || c === 0xdb40)) return true;
  }
  return false;
}
const WHITE_SPACE_ANYWHERE = /\s/u;

export function keyText(original: string): KeyedText {
  // Fast path (the usual stored address): already NFKC, no white space, no marks. The key is then
  // the text itself with ヶ/ヵ folded, one key code unit per original code unit.
  if (!needsUnitWork(original) && original.normalize('NFKC') === original) {
    const n = original.length;
    const startAt = Array.from({ length: n }, (_, k) => k);
    const endAt = Array.from({ length: n + 1 }, (_, k) => k);
    const boundary = Array.from({ length: n + 1 }, (_, k) => {
      const c = original.charCodeAt(k);
      return k === n || c < 0xdc00 || c > 0xdfff; // not inside a surrogate pair
    });
    return {
      original,
      key: original.replace(/ヶ/g, 'ケ').replace(/ヵ/g, 'カ'),
      startAt,
      endAt,
      boundary,
    };
  }
  // Split into units: a base code point followed by its marks.
  const units: { start: number; end: number }[] = [];
  let i = 0;
  for (const ch of original) {
    const last = units[units.length - 1];
    if (last && isMark(ch.codePointAt(0)!)) last.end = i + ch.length;
    else units.push({ start: i, end: i + ch.length });
    i += ch.length;
  }
  let key = '';
  const startAt: number[] = [];
  const endAt: number[] = [0];
  const boundary: boolean[] = [];
  for (const u of units) {
    const k = addressMatchKey(original.slice(u.start, u.end));
    for (let j = 0; j < k.length; j++) {
      boundary.push(j === 0);
      startAt.push(u.start);
      endAt.push(u.end);
    }
    key += k;
  }
  boundary.push(true);
  return { original, key, startAt, endAt, boundary };
}

/** The original text for key positions [from, to), both on unit boundaries. */
export function originalSlice(t: KeyedText, from: number, to: number): string {
  if (from >= to) return '';
  return t.original.slice(t.startAt[from], t.endAt[to]);
}

/** The first unit (code point with its marks) of the original text at key position k, as written. */
export function originalUnitAt(t: KeyedText, k: number): string {
  let end = k + 1;
  while (end < t.key.length && !t.boundary[end]) end++;
  return originalSlice(t, k, end);
}

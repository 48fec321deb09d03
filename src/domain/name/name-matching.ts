/**
 * Name comparison for search and matching (R13, R14, R22). Matching works on a *key* derived from
 * the name; the name itself is never rewritten (see `PersonName.ts`).
 *
 * The key, `normalizeForMatch`:
 * 1. Variation selectors removed (U+FE00–U+FE0F, and the ideographic variation selectors
 *    U+E0100–U+E01EF of IVS sequences such as 葛 + U+E0100): a glyph variant is the same name.
 * 2. Unicode NFKC: full-width Latin/digits → half-width, half-width katakana → full-width,
 *    CJK compatibility ideographs → their unified ideograph (U+FA19 神 → U+795E 神), ㈱ → (株).
 *    NFKC does NOT unify variant kanji that Unicode encodes separately: 髙 (U+9AD9) stays apart
 *    from 高 (U+9AD8), 﨑 (U+FA11, not a compatibility decomposable) from 崎, 邊 from 辺. Unifying
 *    those needs a 異体字 table, which is a policy decision of the register, not of Unicode.
 * 3. All white space removed (ASCII, U+3000 ideographic space, NBSP, ...): 「山田 太郎」,
 *    「山田\u3000太郎」 and 「山田太郎」 are the same name. A space between family and given name is a
 *    matter of writing, not of identity.
 */

const VARIATION_SELECTORS = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;
const WHITE_SPACE = /\s+/gu;

/** Removes variation selectors (standard and IVS). For building match keys only, never for storage. */
export const stripVariationSelectors = (s: string): string => s.replace(VARIATION_SELECTORS, '');

/** The match key of a name or reading: NFKC, variation selectors removed, white space removed. */
export function normalizeForMatch(s: string): string {
  const nfkc = stripVariationSelectors(s).normalize('NFKC');
  const compact = nfkc.replace(WHITE_SPACE, '');
  // Removing a space can bring a base character next to a combining mark that NFKC had left
  // alone (e.g. 'A', ' ', U+0301); normalising again keeps the key idempotent.
  return compact.length === nfkc.length ? compact : compact.normalize('NFKC');
}

/** True when the two names have the same match key. */
export const namesMatch = (a: string, b: string): boolean =>
  normalizeForMatch(a) === normalizeForMatch(b);

/**
 * Prefix match on match keys (R13 "first character of the name" forms). A prefix whose key is empty
 * matches nothing: an empty prefix must never turn into "everyone".
 */
export function nameStartsWith(name: string, prefix: string): boolean {
  const p = normalizeForMatch(prefix);
  return p.length > 0 && normalizeForMatch(name).startsWith(p);
}

/**
 * The match key of a kana reading: `normalizeForMatch`, then hiragana folded to katakana
 * (ぁ–ゖ → ァ–ヶ, ゝゞ → ヽヾ), so that やまだ matches ヤマダ.
 */
export function kanaMatchKey(s: string): string {
  const key = normalizeForMatch(s);
  let out = '';
  for (const ch of key) {
    const c = ch.codePointAt(0)!;
    out +=
      (c >= 0x3041 && c <= 0x3096) || c === 0x309d || c === 0x309e
        ? String.fromCodePoint(c + 0x60)
        : ch;
  }
  return out;
}

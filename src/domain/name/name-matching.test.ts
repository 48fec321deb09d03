import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kanaMatchKey,
  nameStartsWith,
  namesMatch,
  normalizeForMatch,
  stripVariationSelectors,
} from './name-matching.ts';

const IVS = '\u{E0100}';

describe('name matching key', () => {
  it('R13: full-width and half-width spaces, and no space, are the same name', () => {
    expect(normalizeForMatch('山田 太郎')).toBe('山田太郎');
    expect(normalizeForMatch('山田\u3000太郎')).toBe('山田太郎');
    expect(normalizeForMatch(' 山田\t太郎\u00A0')).toBe('山田太郎');
    expect(namesMatch('山田　太郎', '山田太郎')).toBe(true);
  });

  it('R13: NFKC folds width variants and compatibility ideographs', () => {
    expect(normalizeForMatch('ＪＯＨＮ　ｓｍｉｔｈ')).toBe('JOHNsmith');
    expect(normalizeForMatch('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('ヤマダタロウ'); // half-width kana, voiced mark combined
    expect(namesMatch('\uFA19', '\u795E')).toBe(true); // 神 (compatibility) = 神
  });

  it('R13: NFKC does NOT unify separately encoded variant kanji (髙/高, 﨑/崎, 邊/辺)', () => {
    expect(normalizeForMatch('髙橋')).toBe('髙橋');
    expect(namesMatch('髙橋 一郎', '高橋 一郎')).toBe(false);
    expect(namesMatch('山﨑', '山崎')).toBe(false); // U+FA11 has no decomposition
    expect(namesMatch('渡邊', '渡辺')).toBe(false);
  });

  it('R13: an IVS sequence matches its base character, but only for matching', () => {
    const written = `${'葛'}${IVS}西`;
    expect([...written]).toHaveLength(3);
    expect(stripVariationSelectors(written)).toBe('葛西');
    expect(namesMatch(written, '葛西')).toBe(true);
    expect(nameStartsWith(written, '葛')).toBe(true);
    expect(normalizeForMatch(`辻\uFE00`)).toBe('辻'); // standardized variation selector too
  });

  it('R13: prefix match on the key; an empty prefix matches nothing', () => {
    expect(nameStartsWith('山田　太郎', '山田太')).toBe(true);
    expect(nameStartsWith('山田太郎', '山田 太')).toBe(true);
    expect(nameStartsWith('山田太郎', '田')).toBe(false);
    expect(nameStartsWith('山田太郎', '')).toBe(false);
    expect(nameStartsWith('山田太郎', '\u3000 ')).toBe(false);
  });

  it('kana key folds hiragana to katakana', () => {
    expect(kanaMatchKey('やまだ たろう')).toBe('ヤマダタロウ');
    expect(kanaMatchKey('ゔぁいおりん')).toBe('ヴァイオリン');
    expect(kanaMatchKey('ﾔﾏﾀﾞ')).toBe('ヤマダ');
  });

  it('the key is idempotent, also across removed spaces next to combining marks', () => {
    expect(normalizeForMatch('A \u0301')).toBe('Á');
    expect(normalizeForMatch('A\u{E0100}\u0301')).toBe('Á');
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'A',
            'ア',
            ' ',
            '\u3000',
            '\u0301',
            '\u3099',
            '\uFE00',
            '\u{E0100}',
            'ｶ',
            'ﾞ',
            '¨',
          ),
        }),
        (s) => {
          const k = normalizeForMatch(s);
          expect(normalizeForMatch(k)).toBe(k);
          expect(namesMatch(s, k)).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const k = normalizeForMatch(s);
        expect(normalizeForMatch(k)).toBe(k);
        expect(namesMatch(s, k)).toBe(true);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressMatchKey, keyText, originalSlice, originalUnitAt } from './address-key.ts';

describe('address match key', () => {
  it('NFKC, no white space, no variation selectors, ヶ/ヵ folded', () => {
    expect(addressMatchKey('東京都　千代田区 千代田１－１')).toBe('東京都千代田区千代田1-1');
    expect(addressMatchKey('茅ヶ崎市')).toBe(addressMatchKey('茅ケ崎市'));
    expect(addressMatchKey('葛\u{E0100}飾区')).toBe('葛飾区');
    expect(addressMatchKey('ｶﾞｰﾃﾞﾝ')).toBe('ガーデン');
  });

  it('maps key positions back to the text as written, also across expanding characters', () => {
    const t = keyText('㍻ ｶﾞ葛\u{E0100}１');
    expect(t.key).toBe('平成ガ葛1');
    expect(originalSlice(t, 0, 2)).toBe('㍻');
    expect(t.boundary[1]).toBe(false); // inside the expansion of ㍻
    expect(originalSlice(t, 2, 3)).toBe('ｶﾞ');
    expect(originalUnitAt(t, 3)).toBe('葛\u{E0100}');
    expect(originalSlice(t, 2, 5)).toBe('ｶﾞ葛\u{E0100}１');
  });

  it('property: the key of the whole text equals the keys of its slices at every boundary', () => {
    const unit = fc.constantFrom(
      '東',
      '京',
      ' ',
      '\u3000',
      '１',
      'ｶ',
      'ﾞ',
      'ヶ',
      '\u{E0100}',
      '𠮷',
      '㍻',
      'a',
    );
    fc.assert(
      fc.property(fc.string({ unit }), (s) => {
        const t = keyText(s);
        expect(t.key).toBe(addressMatchKey(s));
        for (let k = 0; k <= t.key.length; k++) {
          if (!t.boundary[k]) continue;
          expect(
            addressMatchKey(originalSlice(t, 0, k)) +
              addressMatchKey(originalSlice(t, k, t.key.length)),
          ).toBe(t.key);
        }
      }),
    );
  });
});

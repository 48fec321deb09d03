import { describe, expect, it } from 'vitest';
import { displayName, isKanaReading, parsePersonName } from './PersonName.ts';

describe('PersonName', () => {
  it('keeps the name exactly as written, IVS sequences and variant kanji included', () => {
    const kanji = '葛\u{E0100}飾 髙\u3000﨑';
    const name = parsePersonName(kanji, 'カツシカ タカサキ');
    expect(name.kanji).toBe(kanji);
    expect(displayName(name)).toBe(kanji);
    expect([...displayName(name)].map((c) => c.codePointAt(0)!.toString(16))).toContain('e0100');
  });

  it('accepts kana readings: katakana, hiragana, ー, ・ and spaces', () => {
    for (const ok of [
      'ヤマダ タロウ',
      'やまだ　たろう',
      'スミス・ジョン',
      'ヴィー',
      'ㇰㇱ',
      'ヽヾゝゞア',
    ]) {
      expect(isKanaReading(ok), ok).toBe(true);
    }
  });

  it('refuses readings that are not kana: Latin, kanji, half-width kana, only marks or spaces', () => {
    for (const bad of ['', ' ', 'YAMADA', '山田', 'ﾔﾏﾀﾞ', 'ー・', 'ヤマダ1', 'ヤマダ\n']) {
      expect(isKanaReading(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuses an empty name and a bad reading with stable reasons', () => {
    expect(() => parsePersonName('  \u3000', 'ヤマダ')).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'name.empty' }),
    );
    expect(() => parsePersonName('山田', '')).toThrow(
      expect.objectContaining({ reason: 'name.empty' }),
    );
    expect(() => parsePersonName('山田', 'Yamada')).toThrow(
      expect.objectContaining({ reason: 'name.kana-invalid' }),
    );
    expect(() => parsePersonName(42, 'ヤマダ')).toThrow(
      expect.objectContaining({ reason: 'name.empty' }),
    );
  });
});

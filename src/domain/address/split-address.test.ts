import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import { addressMatchKey } from './address-key.ts';
import { splitAddress } from './split-address.ts';

const table = LocalGovernmentTable.fromCsv(
  readFileSync(new URL('../../../data/local-government-codes.csv', import.meta.url), 'utf8'),
);
const code = (p: string, m: string) => table.byName(p, m)!.code;
const reasonOf = (address: string) => {
  try {
    splitAddress(table, address);
    return 'accepted';
  } catch (e) {
    return (e as { reason?: string }).reason;
  }
};

describe('splitAddress: the kinds of municipality', () => {
  it('R13: a designated-city ward: the municipality is city + ward, the code is the ward', () => {
    expect(splitAddress(table, '北海道札幌市中央区北一条西2丁目')).toEqual({
      prefecture: '北海道',
      county: undefined,
      municipality: '札幌市中央区',
      rest: '北一条西2丁目',
      localGovernmentCode: '011011',
      firstCharacterAfterMunicipality: '北',
    });
  });

  it('R13: a Tokyo special ward and a Tokyo city', () => {
    const a = splitAddress(table, '東京都千代田区千代田1番1号');
    expect([a.municipality, a.rest, a.localGovernmentCode]).toEqual([
      '千代田区',
      '千代田1番1号',
      '131016',
    ]);
    const b = splitAddress(table, '東京都府中市宮西町2丁目24番地');
    expect([b.municipality, b.localGovernmentCode]).toEqual(['府中市', code('東京都', '府中市')]);
  });

  it('R13: the same municipality name in two prefectures (府中市, 伊達市) follows the prefecture', () => {
    expect(splitAddress(table, '広島県府中市府川町315番地').localGovernmentCode).toBe(
      code('広島県', '府中市'),
    );
    expect(splitAddress(table, '北海道伊達市鹿島町20番地1').localGovernmentCode).toBe('012335');
    expect(splitAddress(table, '福島県伊達市保原町字舟橋180番地').localGovernmentCode).toBe(
      '072133',
    );
  });

  it('R13: a town written with its 郡: the county is exposed apart, municipality is the town', () => {
    const a = splitAddress(table, '北海道虻田郡ニセコ町字富士見47番地');
    expect(a).toMatchObject({
      prefecture: '北海道',
      county: '虻田郡',
      municipality: 'ニセコ町',
      rest: '字富士見47番地',
    });
    expect(a.localGovernmentCode).toBe(code('北海道', 'ニセコ町'));
    // the same town without the county
    expect(splitAddress(table, '北海道ニセコ町字富士見47番地').localGovernmentCode).toBe(
      a.localGovernmentCode,
    );
  });

  it('R13: 郡 inside names is not a county (郡山市, 大和郡山市, 蒲郡市, 郡上市, 上郡町)', () => {
    expect(splitAddress(table, '福島県郡山市朝日1丁目23番7号').municipality).toBe('郡山市');
    expect(splitAddress(table, '奈良県大和郡山市北郡山町248番地の4').municipality).toBe(
      '大和郡山市',
    );
    expect(splitAddress(table, '愛知県蒲郡市旭町17番1号').municipality).toBe('蒲郡市');
    expect(splitAddress(table, '岐阜県郡上市八幡町島谷228').municipality).toBe('郡上市');
    const k = splitAddress(table, '兵庫県赤穂郡上郡町大持278番地');
    expect([k.county, k.municipality, k.rest]).toEqual(['赤穂郡', '上郡町', '大持278番地']);
  });

  it('R13: a town named like a city of the same prefecture: 安芸郡府中町 vs 府中市 (広島県)', () => {
    const t = splitAddress(table, '広島県安芸郡府中町大通3丁目5番1号');
    expect([t.county, t.municipality, t.localGovernmentCode]).toEqual([
      '安芸郡',
      '府中町',
      code('広島県', '府中町'),
    ]);
    expect(splitAddress(table, '広島県府中町大通3丁目').localGovernmentCode).toBe(
      code('広島県', '府中町'),
    );
  });

  it('R13: 北海道 泊村 exists twice: the county decides, and without it the split refuses', () => {
    expect(splitAddress(table, '北海道古宇郡泊村大字茅沼村711番地').localGovernmentCode).toBe(
      '014036',
    );
    expect(splitAddress(table, '北海道国後郡泊村1番地').localGovernmentCode).toBe('016969');
    expect(reasonOf('北海道泊村大字茅沼村711番地')).toBe('address.ambiguous-municipality');
    expect(reasonOf('北海道某郡泊村1番地')).toBe('address.ambiguous-municipality');
  });
});

describe('splitAddress: writing variants are matched, parts returned as written', () => {
  it('full-width digits and spaces, ideographic spaces between parts', () => {
    const a = splitAddress(table, '　東京都　千代田区　千代田１－１ ');
    expect(a).toMatchObject({
      prefecture: '東京都',
      municipality: '千代田区',
      rest: '千代田１－１',
    });
    expect(a.firstCharacterAfterMunicipality).toBe('千');
  });

  it('ヶ and ケ are the same in names; the municipality keeps the writing of the address', () => {
    const a = splitAddress(table, '神奈川県茅ケ崎市茅ヶ崎1丁目1番1号');
    expect([a.municipality, a.localGovernmentCode]).toEqual([
      '茅ケ崎市',
      code('神奈川県', '茅ヶ崎市'),
    ]);
    expect(splitAddress(table, '千葉県鎌ヶ谷市新鎌ケ谷2丁目6番1号').municipality).toBe('鎌ヶ谷市');
    expect(splitAddress(table, '神奈川県横浜市保土ヶ谷区川辺町2番地9').localGovernmentCode).toBe(
      code('神奈川県', '横浜市保土ケ谷区'),
    );
  });

  it('IVS and half-width kana in the rest survive as written', () => {
    const a = splitAddress(table, '東京都葛飾区葛\u{E0100}西1丁目ｶﾞｰﾃﾞﾝ');
    expect(a.rest).toBe('葛\u{E0100}西1丁目ｶﾞｰﾃﾞﾝ');
    expect(a.firstCharacterAfterMunicipality).toBe('葛\u{E0100}');
  });
});

describe('splitAddress refuses instead of guessing', () => {
  it.each([
    ['', 'address.empty'],
    [' \u3000', 'address.empty'],
    ['札幌市中央区北一条西2丁目', 'address.unknown-prefecture'],
    ['〒060-0001 北海道札幌市中央区', 'address.unknown-prefecture'],
    ['北海道架空市1丁目', 'address.unknown-municipality'],
    ['北海道中央区北一条西2丁目', 'address.unknown-municipality'],
    ['東京都伊達市1丁目', 'address.unknown-municipality'],
    ['北海道札幌市北一条西2丁目', 'address.designated-city-without-ward'],
    ['北海道札幌市', 'address.designated-city-without-ward'],
    ['東京都千代田区', 'address.empty-rest'],
    ['東京都千代田区\u3000', 'address.empty-rest'],
  ])('%j → %s', (address, reason) => {
    expect(reasonOf(address)).toBe(reason);
  });
});

describe('splitAddress: every municipality of the table', () => {
  const municipalities = table.rows.filter((r) => r.municipality !== '');
  const ambiguous = (r: (typeof municipalities)[number]) =>
    table.allByName(r.prefecture, r.municipality).length > 1;

  it('R13: the only prefix pairs of names within a prefecture are designated city / ward', () => {
    for (const pref of table.prefectures()) {
      const list = table.municipalitiesOf(pref.prefectureCode);
      for (const a of list) {
        for (const b of list) {
          if (
            a === b ||
            !addressMatchKey(b.municipality).startsWith(addressMatchKey(a.municipality))
          )
            continue;
          if (a.municipality === b.municipality) continue; // 泊村 twice
          expect([table.kind(a), table.kind(b)]).toEqual(['designated-city', 'ward']);
        }
      }
    }
  });

  it('R13: `${prefecture}${municipality}1丁目2番3号` splits back to that row (with and without a county)', () => {
    for (const r of municipalities) {
      const address = `${r.prefecture}${r.municipality}1丁目2番3号`;
      const kind = table.kind(r);
      if (kind === 'designated-city') {
        expect(reasonOf(address)).toBe('address.designated-city-without-ward');
        continue;
      }
      if (ambiguous(r)) {
        expect(reasonOf(address)).toBe('address.ambiguous-municipality');
        continue;
      }
      const parts = splitAddress(table, address);
      expect(parts, address).toEqual({
        prefecture: r.prefecture,
        county: undefined,
        municipality: r.municipality,
        rest: '1丁目2番3号',
        localGovernmentCode: r.code,
        firstCharacterAfterMunicipality: '1',
      });
      if (kind === 'town' || kind === 'village') {
        const withCounty = splitAddress(table, `${r.prefecture}某郡${r.municipality}1丁目2番3号`);
        expect([withCounty.county, withCounty.localGovernmentCode], r.municipality).toEqual([
          '某郡',
          r.code,
        ]);
      }
    }
  });

  it('property: any rest after any municipality comes back unchanged', () => {
    const usable = municipalities.filter(
      (r) => table.kind(r) !== 'designated-city' && !ambiguous(r),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...usable),
        fc.constantFrom('', ' ', '\u3000'),
        fc.string({
          unit: fc.constantFrom(
            '１',
            '2',
            '丁',
            '目',
            '番',
            '地',
            '－',
            'ー',
            'ア',
            '字',
            '葛\u{E0100}',
          ),
          minLength: 1,
        }),
        (row, gap, rest) => {
          const parts = splitAddress(
            table,
            `${row.prefecture}${gap}${row.municipality}${gap}${rest}`,
          );
          expect(parts.localGovernmentCode).toBe(row.code);
          expect(parts.rest).toBe(rest);
          expect(rest.startsWith(parts.firstCharacterAfterMunicipality)).toBe(true);
        },
      ),
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasValidCheckDigit } from '../check-digit.ts';
import type { LocalGovernmentKind, LocalGovernmentRow } from './local-government-table.ts';
import {
  CSV_HEADER,
  LocalGovernmentTable,
  parseLocalGovernmentCsv,
} from './local-government-table.ts';

const CSV = readFileSync(
  new URL('../../../data/local-government-codes.csv', import.meta.url),
  'utf8',
);
const rows = parseLocalGovernmentCsv(CSV);
const table = LocalGovernmentTable.fromRows(rows);

const reasonOf = (f: () => unknown) => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return (e as { reason?: string }).reason;
  }
};

describe('local-government table: the real CSV (総務省, 2024-01-01)', () => {
  it('has 1,965 rows, every check digit valid, 47 prefectures', () => {
    expect(rows).toHaveLength(1965);
    expect(rows.every((r) => hasValidCheckDigit('local-government-code', r.code))).toBe(true);
    expect(table.prefectures()).toHaveLength(47);
    expect(table.prefectures()[0]!.prefecture).toBe('北海道');
    expect(table.prefectures()[46]!.prefecture).toBe('沖縄県');
  });

  it('counts per kind are those of data/README.md', () => {
    const counts: Record<string, number> = {};
    for (const r of table.rows) counts[table.kind(r)] = (counts[table.kind(r)] ?? 0) + 1;
    expect(counts).toEqual({
      prefecture: 47,
      'designated-city': 20,
      ward: 171,
      'special-ward': 23,
      city: 772,
      town: 743,
      village: 189,
    } satisfies Record<LocalGovernmentKind, number>);
  });

  it('finds by 6-digit code, 5-digit JIS code and names', () => {
    expect(table.byCode('011011')?.municipality).toBe('札幌市中央区');
    expect(table.byCode('01101')?.municipality).toBe('札幌市中央区');
    expect(table.byCode('011012')).toBeUndefined(); // wrong check digit
    expect(table.byName('東京都')?.code).toBe('130001');
    expect(table.byName('東京都', '千代田区')?.code).toBe('131016');
    expect(table.byName('北海道', '伊達市')?.code).toBe('012335');
    expect(table.byName('福島県', '伊達市')?.code).toBe('072133');
    expect(table.byName('広島県', '府中市')?.prefectureCode).toBe('34');
    expect(table.byName('東京都', '府中市')?.prefectureCode).toBe('13');
    expect(table.byName('北海道', '中央区')).toBeUndefined(); // wards are named with their city
  });

  it('北海道 泊村 names two villages: byName refuses to pick one, allByName gives both', () => {
    expect(reasonOf(() => table.byName('北海道', '泊村'))).toBe(
      'local-government-table.ambiguous-name',
    );
    expect(table.allByName('北海道', '泊村').map((r) => r.code)).toEqual(['014036', '016969']);
  });

  it('classifies designated cities, their wards, special wards, cities, towns and villages', () => {
    const k = (p: string, m?: string) => table.kind(table.byName(p, m)!);
    expect(k('北海道')).toBe('prefecture');
    expect(k('北海道', '札幌市')).toBe('designated-city');
    expect(k('北海道', '札幌市中央区')).toBe('ward');
    expect(k('東京都', '千代田区')).toBe('special-ward');
    expect(k('東京都', '八王子市')).toBe('city');
    expect(k('北海道', 'ニセコ町')).toBe('town');
    expect(k('東京都', '青ヶ島村')).toBe('village');
    expect(k('静岡県', '浜松市')).toBe('designated-city');
    const sapporo = table.byName('北海道', '札幌市')!;
    expect(table.wardsOf(sapporo).map((w) => w.municipality)).toHaveLength(10);
    expect(table.designatedCityOf(table.byName('北海道', '札幌市北区')!)).toBe(sapporo);
    expect(table.designatedCityOf(sapporo)).toBeUndefined();
    expect(
      table.municipalitiesOf('13').filter((r) => table.kind(r) === 'special-ward'),
    ).toHaveLength(23);
    expect(table.municipalitiesOf('99')).toEqual([]);
  });

  it('kind refuses a row that is not in the table', () => {
    const foreign = { ...table.byCode('131016')!, municipality: '架空区' };
    expect(reasonOf(() => table.kind(foreign))).toBe('local-government-table.unknown-row');
  });
});

describe('local-government CSV parsing refuses malformed input', () => {
  const ok = `${CSV_HEADER}\n010006,01,北海道,ホッカイドウ,,\n011002,01,北海道,ホッカイドウ,札幌市,サッポロシ\n`;

  it('accepts BOM and CRLF', () => {
    expect(parseLocalGovernmentCsv(`\uFEFF${ok.replace(/\n/g, '\r\n')}`)).toHaveLength(2);
  });

  it.each([
    ['a wrong header', ok.replace('code,', 'id,'), 'local-government-csv.header'],
    ['a wrong check digit', ok.replace('011002', '011003'), 'local-government-csv.code'],
    [
      'a prefecture code that disagrees with the code',
      ok.replace('011002,01', '011002,02'),
      'local-government-csv.prefecture-code',
    ],
    ['a missing field', ok.replace(',サッポロシ', ''), 'local-government-csv.fields'],
    [
      'a municipality row without a name',
      ok.replace('札幌市,サッポロシ', ','),
      'local-government-csv.missing-name',
    ],
    ['a quoted field', ok.replace('札幌市', '"札幌市"'), 'local-government-csv.quoted'],
    [
      'an empty line in the middle',
      ok.replace('\n011002', '\n\n011002'),
      'local-government-csv.empty-line',
    ],
  ])('refuses %s', (_, text, reason) => {
    expect(reasonOf(() => parseLocalGovernmentCsv(text))).toBe(reason);
  });

  it('fromRows refuses duplicates, orphans and names of unknown kind', () => {
    const [pref, city] = parseLocalGovernmentCsv(ok) as [LocalGovernmentRow, LocalGovernmentRow];
    expect(reasonOf(() => LocalGovernmentTable.fromRows([pref, city, city]))).toBe(
      'local-government-table.duplicate',
    );
    expect(
      reasonOf(() =>
        LocalGovernmentTable.fromRows([
          pref,
          { ...pref, code: '020001' as never, prefectureCode: '02' as never },
        ]),
      ),
    ).toBe('local-government-table.duplicate');
    expect(reasonOf(() => LocalGovernmentTable.fromRows([city]))).toBe(
      'local-government-table.prefecture',
    );
    expect(
      reasonOf(() => LocalGovernmentTable.fromRows([pref, { ...city, municipality: '札幌' }])),
    ).toBe('local-government-table.kind');
    expect(
      reasonOf(() => LocalGovernmentTable.fromRows([pref, { ...city, municipality: '中央区' }])),
    ).toBe('local-government-table.kind');
  });
});

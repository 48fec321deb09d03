import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ANNEXED_TABLES,
  AffairCatalog,
  legalBasisOf,
  ordinanceAffair,
  parseStatutoryAffairsCsv,
  type StatutoryAffair,
} from './statutory-affair.ts';

const csv = readFileSync(new URL('../../../data/statutory-affairs.csv', import.meta.url), 'utf8');
const affairs = parseStatutoryAffairsCsv(csv);
const reasonOf = (text: string) => {
  try {
    parseStatutoryAffairsCsv(text);
    return 'accepted';
  } catch (e) {
    return (e as { reason?: string }).reason;
  }
};
const HEADER = 'table,item,recipient,affair,law_reference\n';

describe('R3: the statutory affairs of 別表第一–第六 (data/statutory-affairs.csv)', () => {
  it('R3: 689 items, as many per table as the README counts, 5 deleted items of 別表第一', () => {
    expect(affairs).toHaveLength(689);
    const count = (t: string) => affairs.filter((a) => a.source === t).length;
    expect(ANNEXED_TABLES.map(count)).toEqual([305, 86, 103, 85, 103, 7]);
    expect(affairs.filter((a) => a.deleted).map((a) => a.id)).toEqual([
      '別表第一:四',
      '別表第一:六',
      '別表第一:七',
      '別表第一:十',
      '別表第一:五十二',
    ]);
    expect(new Set(affairs.map((a) => a.id)).size).toBe(689);
  });

  it('R3: the pension service affair (別表第一 七十七) and passports (四十一), with their legal basis', () => {
    const catalog = AffairCatalog.of(affairs);
    const pension = catalog.byId('別表第一:七十七')!;
    expect(pension.recipient).toBe('厚生労働省及び日本年金機構');
    expect(pension.affair).toMatch(/^国民年金法による/);
    expect(pension.legalBasis).toBe('住民基本台帳法第三十条の九・別表第一の七十七の項');
    const passport = catalog.byId('別表第一:四十一')!;
    expect(passport.recipient).toBe('外務省');
    expect(passport.lawReferences).toContain('旅券法（昭和二十六年法律第二百六十七号）');
    expect(catalog.ofSource('別表第一')).toHaveLength(300);
  });

  it('R3: 別表第五 is cited as a numbered list (第一号の二), the others as 項', () => {
    expect(legalBasisOf('別表第五', '一の二')).toBe(
      '住民基本台帳法第三十条の十五第一項第一号・別表第五第一号の二',
    );
    expect(legalBasisOf('別表第五', '七')).toBe(
      '住民基本台帳法第三十条の十五第一項第一号・別表第五第七号',
    );
    expect(legalBasisOf('別表第六', '一')).toBe(
      '住民基本台帳法第三十条の十五第二項第一号・別表第六の一の項',
    );
    expect(legalBasisOf('別表第三', '七の十四')).toBe(
      '住民基本台帳法第三十条の十一第一項第一号・別表第三の七の十四の項',
    );
  });

  it.each([
    ['a wrong header', 'table,item\n', 'statutory-affairs-csv.header'],
    ['a row with 4 fields', `${HEADER}別表第一,一,a,b\n`, 'statutory-affairs-csv.fields'],
    ['an unknown table', `${HEADER}別表第七,一,a,b,c\n`, 'statutory-affairs-csv.table'],
    ['an item in Arabic digits', `${HEADER}別表第一,1,a,b,c\n`, 'statutory-affairs-csv.item'],
    [
      'an item twice',
      `${HEADER}別表第一,一,a,b,c\n別表第一,一,a,b,c\n`,
      'statutory-affairs-csv.duplicate',
    ],
    [
      'a live item without recipient',
      `${HEADER}別表第一,一,,b,c\n`,
      'statutory-affairs-csv.deleted',
    ],
    [
      'a 削除 item with a recipient',
      `${HEADER}別表第一,一,a,削除,\n`,
      'statutory-affairs-csv.deleted',
    ],
    ['an unterminated quote', `${HEADER}別表第一,一,"a,b,c\n`, 'statutory-affairs-csv.quote'],
  ])('refuses %s', (_, text, reason) => {
    expect(reasonOf(text)).toBe(reason);
  });

  it('reads RFC 4180 quoting, CRLF and a BOM', () => {
    const rows = parseStatutoryAffairsCsv(
      `\uFEFF${HEADER.replace('\n', '\r\n')}別表第一,一,"国, ""甲""",事務,"甲法; 乙法"\r\n`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        id: '別表第一:一',
        recipient: '国, "甲"',
        lawReferences: ['甲法', '乙法'],
      }),
    ]);
  });
});

describe('R3: ordinance affairs (条例)', () => {
  const good = {
    prefectureCode: '13',
    item: '一',
    recipient: '東京都教育委員会',
    affair: '特別支援教育就学奨励費の支給に関する事務',
    legalBasis: '東京都住民基本台帳法施行条例第二条・別表第一の一の項',
  };

  it('an ordinance affair has its own id, its prefecture and the ordinance as legal basis', () => {
    const a = ordinanceAffair(good);
    expect(a).toMatchObject({
      id: '条例:13:一',
      source: '条例',
      prefectureCode: '13',
      deleted: false,
    });
    const catalog = AffairCatalog.of(affairs).with([a]);
    expect(catalog.byId('条例:13:一')).toBe(a);
  });

  it.each([
    [{ prefectureCode: '48' }, 'ordinance-affair.prefecture-code'],
    [{ item: 'a:b' }, 'ordinance-affair.item'],
    [{ recipient: ' ' }, 'ordinance-affair.recipient'],
    [{ affair: '削除' }, 'ordinance-affair.affair'],
    [{ legalBasis: '' }, 'ordinance-affair.legal-basis'],
  ])('refuses %j (%s)', (override, reason) => {
    expect(() => ordinanceAffair({ ...good, ...override })).toThrow(
      expect.objectContaining({ reason }) as Error,
    );
  });

  it('a catalog refuses the same id twice', () => {
    const a: StatutoryAffair = ordinanceAffair(good);
    expect(() => AffairCatalog.of([a, a])).toThrow(
      expect.objectContaining({ reason: 'affair-catalog.duplicate' }) as Error,
    );
  });
});

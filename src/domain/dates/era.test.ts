import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, fromEpochDay, parseCalendarDate, toEpochDay } from './CalendarDate.ts';
import { ERAS, formatJapaneseDate, formatJapaneseEraYear, toJapaneseEra } from './era.ts';

const f = (s: string) => formatJapaneseDate(parseCalendarDate(s));

describe('和暦 formatting', () => {
  it('formats ordinary dates without zero padding', () => {
    expect(f('2026-11-24')).toBe('令和8年11月24日');
    expect(f('2000-01-01')).toBe('平成12年1月1日');
    expect(f('1964-10-10')).toBe('昭和39年10月10日');
  });

  it('every era boundary: the last day of the old era and the first (元年) of the new', () => {
    expect(f('2019-04-30')).toBe('平成31年4月30日');
    expect(f('2019-05-01')).toBe('令和元年5月1日');
    expect(f('1989-01-07')).toBe('昭和64年1月7日');
    expect(f('1989-01-08')).toBe('平成元年1月8日');
    expect(f('1926-12-24')).toBe('大正15年12月24日');
    expect(f('1926-12-25')).toBe('昭和元年12月25日');
    expect(f('1912-07-29')).toBe('明治45年7月29日');
    expect(f('1912-07-30')).toBe('大正元年7月30日');
  });

  it('元年 ends on 31 December; the next 1 January is year 2', () => {
    expect(f('2019-12-31')).toBe('令和元年12月31日');
    expect(f('2020-01-01')).toBe('令和2年1月1日');
    expect(f('1989-12-31')).toBe('平成元年12月31日');
    expect(f('1927-01-01')).toBe('昭和2年1月1日');
  });

  it('明治: from the Gregorian adoption (明治6年1月1日); earlier dates are refused, not guessed', () => {
    expect(f('1873-01-01')).toBe('明治6年1月1日');
    expect(() => f('1872-12-31')).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'date.before-gregorian-era' }),
    );
    expect(() => f('1868-01-25')).toThrow(
      expect.objectContaining({ reason: 'date.before-gregorian-era' }),
    );
  });

  it('formatJapaneseEraYear gives the era year in force on the day', () => {
    expect(formatJapaneseEraYear(parseCalendarDate('1989-01-07'))).toBe('昭和64年');
    expect(formatJapaneseEraYear(parseCalendarDate('1989-01-08'))).toBe('平成元年');
    expect(formatJapaneseEraYear(parseCalendarDate('2026-01-01'))).toBe('令和8年');
  });

  it('leap day in an era year', () => {
    expect(f('2024-02-29')).toBe('令和6年2月29日');
    expect(f('1988-02-29')).toBe('昭和63年2月29日');
  });

  it('property: era dates are monotone and the era year moves by one at each 1 January', () => {
    const lo = toEpochDay(parseCalendarDate('1873-01-01'));
    const hi = toEpochDay(parseCalendarDate('2100-12-30'));
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), (n) => {
        const d = fromEpochDay(n);
        const a = toJapaneseEra(d);
        const b = toJapaneseEra(addDays(d, 1));
        const eraIndex = (e: string) => ERAS.findIndex((x) => x.name === e);
        if (a.era === b.era) {
          expect(b.year - a.year).toBe(b.month === 1 && b.day === 1 ? 1 : 0);
        } else {
          expect(eraIndex(b.era)).toBe(eraIndex(a.era) - 1); // the next (newer) era
          expect(b.year).toBe(1);
        }
      }),
    );
  });
});

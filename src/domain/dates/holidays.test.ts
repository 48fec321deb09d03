import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDate,
  fromEpochDay,
  parseCalendarDate,
  toEpochDay,
} from './CalendarDate.ts';
import {
  CITIZENS_HOLIDAY,
  HOLIDAY_YEARS,
  SUBSTITUTE_HOLIDAY,
  holidayName,
  holidaysOf,
  isHoliday,
  weekdayOf,
} from './holidays.ts';

/**
 * The Cabinet Office's list (内閣府「国民の祝日について」, syukujitsu.csv), as it writes them:
 * 振替休日 and 国民の休日 are both 休日, the 2019 days 休日（祝日扱い）, and 2019's 体育の日
 * 体育の日（スポーツの日）. One line per holiday: `M/D name`.
 */
const CABINET_OFFICE: Record<number, string> = {
  2018: `1/1 元日, 1/8 成人の日, 2/11 建国記念の日, 2/12 休日, 3/21 春分の日, 4/29 昭和の日,
    4/30 休日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/16 海の日, 8/11 山の日,
    9/17 敬老の日, 9/23 秋分の日, 9/24 休日, 10/8 体育の日, 11/3 文化の日, 11/23 勤労感謝の日,
    12/23 天皇誕生日, 12/24 休日`,
  2019: `1/1 元日, 1/14 成人の日, 2/11 建国記念の日, 3/21 春分の日, 4/29 昭和の日, 4/30 休日,
    5/1 休日（祝日扱い）, 5/2 休日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日,
    7/15 海の日, 8/11 山の日, 8/12 休日, 9/16 敬老の日, 9/23 秋分の日,
    10/14 体育の日（スポーツの日）, 10/22 休日（祝日扱い）, 11/3 文化の日, 11/4 休日,
    11/23 勤労感謝の日`,
  2020: `1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 休日, 3/20 春分の日,
    4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/23 海の日,
    7/24 スポーツの日, 8/10 山の日, 9/21 敬老の日, 9/22 秋分の日, 11/3 文化の日,
    11/23 勤労感謝の日`,
  2021: `1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日,
    5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/22 海の日, 7/23 スポーツの日, 8/8 山の日,
    8/9 休日, 9/20 敬老の日, 9/23 秋分の日, 11/3 文化の日, 11/23 勤労感謝の日`,
  2023: `1/1 元日, 1/2 休日, 1/9 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日,
    4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/17 海の日, 8/11 山の日,
    9/18 敬老の日, 9/23 秋分の日, 10/9 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日`,
  2024: `1/1 元日, 1/8 成人の日, 2/11 建国記念の日, 2/12 休日, 2/23 天皇誕生日, 3/20 春分の日,
    4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/15 海の日,
    8/11 山の日, 8/12 休日, 9/16 敬老の日, 9/22 秋分の日, 9/23 休日, 10/14 スポーツの日,
    11/3 文化の日, 11/4 休日, 11/23 勤労感謝の日`,
  2025: `1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 休日, 3/20 春分の日,
    4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/21 海の日,
    8/11 山の日, 9/15 敬老の日, 9/23 秋分の日, 10/13 スポーツの日, 11/3 文化の日,
    11/23 勤労感謝の日, 11/24 休日`,
  2026: `1/1 元日, 1/12 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日,
    5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/20 海の日, 8/11 山の日,
    9/21 敬老の日, 9/22 休日, 9/23 秋分の日, 10/12 スポーツの日, 11/3 文化の日,
    11/23 勤労感謝の日`,
  2027: `1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日, 3/22 休日,
    4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/19 海の日, 8/11 山の日,
    9/20 敬老の日, 9/23 秋分の日, 10/11 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日`,
};

const parseList = (year: number, list: string): { date: string; name: string }[] =>
  list.split(',').map((entry) => {
    const [md, name] = entry.trim().split(' ') as [string, string];
    const [m, d] = md.split('/').map(Number) as [number, number];
    return { date: calendarDate(year, m, d), name };
  });

/** Our names written as the Cabinet Office's list writes them. */
const asCabinetOffice = (year: number, name: string): string => {
  if (name === SUBSTITUTE_HOLIDAY || name === CITIZENS_HOLIDAY) return '休日';
  if (name === '即位の日' || name === '即位礼正殿の儀') return '休日（祝日扱い）';
  if (year === 2019 && name === '体育の日') return '体育の日（スポーツの日）';
  return name;
};

const d = parseCalendarDate;

describe('Japanese public holidays (国民の祝日に関する法律)', () => {
  it.each(Object.keys(CABINET_OFFICE).map(Number))(
    '%i: every holiday of the Cabinet Office list, and no other',
    (year) => {
      const ours = holidaysOf(year).map((h) => ({
        date: h.date,
        name: asCabinetOffice(year, h.name),
      }));
      expect(ours).toEqual(parseList(year, CABINET_OFFICE[year]!));
    },
  );

  it('names the kind of each 休日', () => {
    expect(holidayName(d('2019-04-30'))).toBe(CITIZENS_HOLIDAY);
    expect(holidayName(d('2019-05-01'))).toBe('即位の日');
    expect(holidayName(d('2019-05-02'))).toBe(CITIZENS_HOLIDAY);
    expect(holidayName(d('2019-05-06'))).toBe(SUBSTITUTE_HOLIDAY);
    expect(holidayName(d('2019-10-22'))).toBe('即位礼正殿の儀');
    expect(holidayName(d('2026-09-22'))).toBe(CITIZENS_HOLIDAY);
    expect(holidayName(d('2021-08-09'))).toBe(SUBSTITUTE_HOLIDAY);
    expect(holidayName(d('2026-01-01'))).toBe('元日');
    expect(holidayName(d('2026-01-02'))).toBeUndefined();
    expect(holidayName(d('2026-11-28'))).toBeUndefined(); // a Saturday is not a holiday
  });

  it('天皇誕生日: 23 December until 2018, none in 2019, 23 February from 2020', () => {
    expect(holidayName(d('2018-12-23'))).toBe('天皇誕生日');
    expect(holidayName(d('2019-12-23'))).toBeUndefined();
    expect(holidayName(d('2019-02-23'))).toBeUndefined();
    expect(holidayName(d('2020-02-23'))).toBe('天皇誕生日');
  });

  it('the rules before 2007 and 2003: みどりの日 on 29 April, 国民の休日 on 4 May, fixed 海の日 and 敬老の日', () => {
    expect(holidayName(d('2006-04-29'))).toBe('みどりの日');
    expect(holidayName(d('2006-05-04'))).toBe(CITIZENS_HOLIDAY); // Thursday between two 祝日
    expect(holidayName(d('2003-05-04'))).toBeUndefined(); // a Sunday: no 国民の休日 then
    expect(holidayName(d('2002-07-20'))).toBe('海の日');
    expect(holidayName(d('2002-09-15'))).toBe('敬老の日');
    expect(holidayName(d('2002-09-16'))).toBe(SUBSTITUTE_HOLIDAY); // 15 September was a Sunday
    expect(holidayName(d('2000-01-10'))).toBe('成人の日'); // the first Happy Monday
    expect(holidayName(d('2000-10-09'))).toBe('体育の日');
    expect(holidayName(d('2007-04-29'))).toBe('昭和の日');
    // The 2007 rule: 3 May 2009 a Sunday, 4 and 5 May 祝日, so the 振替休日 is 6 May.
    expect(holidayName(d('2009-05-06'))).toBe(SUBSTITUTE_HOLIDAY);
  });

  it('refuses a year outside 2000–2099 instead of guessing', () => {
    for (const s of ['1999-12-31', '2100-01-01']) {
      expect(() => holidayName(d(s))).toThrow(
        expect.objectContaining({ code: 'invalid', reason: 'date.holiday-out-of-range' }),
      );
    }
    expect(() => holidaysOf(2100)).toThrow(
      expect.objectContaining({ reason: 'date.holiday-out-of-range' }),
    );
    expect(holidaysOf(HOLIDAY_YEARS.first).length).toBeGreaterThan(0);
    expect(holidaysOf(HOLIDAY_YEARS.last).length).toBeGreaterThan(0);
  });

  const first = toEpochDay(d(`${HOLIDAY_YEARS.first}-01-01`));
  const last = toEpochDay(d(`${HOLIDAY_YEARS.last}-12-31`));
  const anyDay = fc.integer({ min: first, max: last }).map(fromEpochDay);

  const since2007 = fc.integer({ min: 2007, max: HOLIDAY_YEARS.last });

  it('property: a 祝日 on a Sunday is followed by a 振替休日 after the run of 祝日 (from 2007)', () => {
    fc.assert(
      fc.property(since2007, (year) => {
        for (const { date, name } of holidaysOf(year)) {
          if (weekdayOf(date) !== 0 || isSpecial(name)) continue;
          let next = addDays(date, 1);
          while (!isSpecial(holidayName(next)) && isHoliday(next)) next = addDays(next, 1);
          expect(holidayName(next)).toBe(SUBSTITUTE_HOLIDAY);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: every 振替休日 and 国民の休日 has its cause in the 祝日 around it', () => {
    fc.assert(
      fc.property(fc.integer({ min: HOLIDAY_YEARS.first, max: HOLIDAY_YEARS.last }), (year) => {
        for (const { date, name } of holidaysOf(year)) {
          if (name === SUBSTITUTE_HOLIDAY) {
            // A Sunday 祝日 before it, with only 祝日 between (before 2007: the day before).
            let prev = addDays(date, -1);
            while (weekdayOf(prev) !== 0) {
              expect(isHoliday(prev) && !isSpecial(holidayName(prev))).toBe(true);
              prev = addDays(prev, -1);
            }
            expect(isHoliday(prev) && !isSpecial(holidayName(prev))).toBe(true);
            if (year < 2007) expect(prev).toBe(addDays(date, -1));
          }
          if (name === CITIZENS_HOLIDAY) {
            for (const side of [addDays(date, -1), addDays(date, 1)])
              expect(isHoliday(side) && !isSpecial(holidayName(side))).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: a day is a holiday of its year or a day without a name, never both', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        const name = holidayName(day);
        const listed = holidaysOf(Number(day.slice(0, 4))).find((h) => h.date === day);
        expect(isHoliday(day)).toBe(name !== undefined);
        expect(listed?.name).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it('every year of the range: 15 or more holidays, the equinoxes on 19–21 March and 22–24 September', () => {
    for (let y = HOLIDAY_YEARS.first; y <= HOLIDAY_YEARS.last; y++) {
      const all = holidaysOf(y);
      expect(all.length).toBeGreaterThanOrEqual(15);
      const spring = all.find((h) => h.name === '春分の日')!.date;
      const autumn = all.find((h) => h.name === '秋分の日')!.date;
      expect(['19', '20', '21']).toContain(spring.slice(8));
      expect(spring.slice(5, 7)).toBe('03');
      expect(['22', '23', '24']).toContain(autumn.slice(8));
      expect(autumn.slice(5, 7)).toBe('09');
      for (const h of all) expect(h.date.slice(0, 4)).toBe(String(y));
    }
  });
});

/** 振替休日 and 国民の休日 are 休日, not 国民の祝日. */
const isSpecial = (name: string | undefined): boolean =>
  name === SUBSTITUTE_HOLIDAY || name === CITIZENS_HOLIDAY;

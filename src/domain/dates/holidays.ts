import { RegistryError } from '../errors.ts';
import type { CalendarDate } from './CalendarDate.ts';
import { addDays, calendarDate, dateParts, toEpochDay } from './CalendarDate.ts';

/**
 * Japanese public holidays (国民の祝日と休日) under the 国民の祝日に関する法律 (Act on National
 * Holidays, 1948) as amended, computed from its rules rather than read from a list, so that it
 * needs no yearly update. Pure: a date in, a name or nothing out.
 *
 * What is a holiday here:
 * - the 国民の祝日 of the Act (article 2) on the date the Act gives for the year: fixed dates,
 *   the Happy Monday days (成人の日, 体育の日 from 2000; 海の日, 敬老の日 from 2003), the
 *   equinox days by the usual approximation formula (valid 1980–2099; the official date is
 *   announced in the 官報 each February for the next year and has matched it so far);
 * - the days the special laws made 国民の祝日 or moved: 2019 (即位の日 May 1 and 即位礼正殿の儀
 *   Oct 22, 天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律; no 天皇誕生日 that
 *   year), 2020 and 2021 (the Tokyo Olympics: 海の日, スポーツの日 and 山の日 moved);
 * - 振替休日 (article 3-2): a 国民の祝日 on a Sunday makes the next day that is not a 国民の祝日 a
 *   holiday (before 2007 only the Monday after, if it was not a 祝日 itself);
 * - 国民の休日 (article 3-3): a day that is not a 国民の祝日 but whose previous and next days
 *   are (before 2007 not on a Sunday nor on a 振替休日).
 *
 * Supported years: 2000–2099 (HOLIDAY_YEARS). Outside them the rules differ (fixed 成人の日 and
 * 体育の日 before 2000) or are not known (the equinox formula ends in 2099, the law may change):
 * a question about another year is refused (RegistryError 'invalid', reason
 * 'date.holiday-out-of-range') rather than answered with a guess.
 *
 * Names are the Act's. The Cabinet Office's list (内閣府「国民の祝日について」, syukujitsu.csv)
 * writes 振替休日 and 国民の休日 both as 休日, and the two 2019 days as 休日（祝日扱い）; here they
 * keep their own names (振替休日, 国民の休日, 即位の日, 即位礼正殿の儀).
 */

/** The years this module answers for, inclusive. */
export const HOLIDAY_YEARS = { first: 2000, last: 2099 } as const;

export type Holiday = { readonly date: CalendarDate; readonly name: string };

export const SUBSTITUTE_HOLIDAY = '振替休日';
export const CITIZENS_HOLIDAY = '国民の休日';

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOf = (d: CalendarDate): number => (((toEpochDay(d) + 4) % 7) + 7) % 7;

/** The n-th Monday (n ≥ 1) of a month. */
function nthMonday(year: number, month: number, n: number): CalendarDate {
  const first = calendarDate(year, month, 1);
  const toMonday = (8 - weekdayOf(first)) % 7;
  return addDays(first, toMonday + 7 * (n - 1));
}

/**
 * The day of March (春分) or September (秋分) of the equinox by the approximation used for
 * 1980–2099: floor(c + 0.242194 × (y − 1980)) − floor((y − 1980) / 4), with c = 20.8431 (March)
 * or 23.2488 (September). In integers (millionths) so that no rounding of floats decides a day.
 */
function equinoxDay(year: number, base: number): number {
  const n = year - 1980;
  return Math.floor((base + 242_194 * n) / 1_000_000) - Math.floor(n / 4);
}

/** The 国民の祝日 proper (and the 2019 days treated as such) of a year, unsorted. */
function nationalHolidays(y: number): Holiday[] {
  const out: Holiday[] = [];
  const on = (month: number, day: number, name: string): void => {
    out.push({ date: calendarDate(y, month, day), name });
  };
  const monday = (month: number, n: number, name: string): void => {
    out.push({ date: nthMonday(y, month, n), name });
  };
  on(1, 1, '元日');
  monday(1, 2, '成人の日');
  on(2, 11, '建国記念の日');
  if (y >= 2020) on(2, 23, '天皇誕生日');
  on(3, equinoxDay(y, 20_843_100), '春分の日');
  on(4, 29, y >= 2007 ? '昭和の日' : 'みどりの日');
  if (y === 2019) on(5, 1, '即位の日');
  on(5, 3, '憲法記念日');
  if (y >= 2007) on(5, 4, 'みどりの日');
  on(5, 5, 'こどもの日');
  if (y === 2020) on(7, 23, '海の日');
  else if (y === 2021) on(7, 22, '海の日');
  else if (y >= 2003) monday(7, 3, '海の日');
  else on(7, 20, '海の日');
  if (y === 2020) on(8, 10, '山の日');
  else if (y === 2021) on(8, 8, '山の日');
  else if (y >= 2016) on(8, 11, '山の日');
  if (y >= 2003) monday(9, 3, '敬老の日');
  else on(9, 15, '敬老の日');
  on(9, equinoxDay(y, 23_248_800), '秋分の日');
  if (y === 2020) on(7, 24, 'スポーツの日');
  else if (y === 2021) on(7, 23, 'スポーツの日');
  else monday(10, 2, y >= 2020 ? 'スポーツの日' : '体育の日');
  if (y === 2019) on(10, 22, '即位礼正殿の儀');
  on(11, 3, '文化の日');
  on(11, 23, '勤労感謝の日');
  if (y <= 2018) on(12, 23, '天皇誕生日');
  return out;
}

const cache = new Map<number, ReadonlyMap<CalendarDate, string>>();

/** date → name of every holiday of the year (a year's table is computed once). */
function yearTable(year: number): ReadonlyMap<CalendarDate, string> {
  const known = cache.get(year);
  if (known) return known;
  const national = new Map<CalendarDate, string>();
  for (const h of nationalHolidays(year)) national.set(h.date, h.name);
  const all = new Map(national);
  const since2007 = year >= 2007;
  // 振替休日: a 祝日 on a Sunday. Every 祝日 is in the year's own table, and none falls on
  // 31 December, so the substitute day is always in the same year.
  for (const date of national.keys()) {
    if (weekdayOf(date) !== 0) continue;
    let next = addDays(date, 1);
    if (since2007) while (national.has(next)) next = addDays(next, 1);
    if (!national.has(next)) all.set(next, SUBSTITUTE_HOLIDAY);
  }
  // 国民の休日: between two 祝日 (1 January and 31 December have no neighbour in another year
  // that could make them one: 31 December and 2 January are never 祝日).
  for (const date of national.keys()) {
    const between = addDays(date, 1);
    if (national.has(between) || !national.has(addDays(between, 1))) continue;
    if (!since2007 && (weekdayOf(between) === 0 || all.has(between))) continue;
    if (!all.has(between)) all.set(between, CITIZENS_HOLIDAY);
  }
  const table = new Map([...all].sort(([a], [b]) => (a < b ? -1 : 1)));
  cache.set(year, table);
  return table;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < HOLIDAY_YEARS.first || year > HOLIDAY_YEARS.last) {
    throw new RegistryError(
      'invalid',
      `祝日を判定できません: ${year}年は対象外です（${HOLIDAY_YEARS.first}–${HOLIDAY_YEARS.last}年） (public holidays are known for ${HOLIDAY_YEARS.first}–${HOLIDAY_YEARS.last} only)`,
      'date.holiday-out-of-range',
    );
  }
}

/** True when `year` is one this module answers for (HOLIDAY_YEARS). */
export const isHolidayYearSupported = (year: number): boolean =>
  Number.isInteger(year) && year >= HOLIDAY_YEARS.first && year <= HOLIDAY_YEARS.last;

/**
 * The name of the holiday on `d` (a 国民の祝日, 振替休日 or 国民の休日), or undefined on any
 * other day, Saturdays and Sundays included. Throws RegistryError (reason
 * 'date.holiday-out-of-range') for a year outside HOLIDAY_YEARS.
 */
export function holidayName(d: CalendarDate): string | undefined {
  const { year } = dateParts(d);
  checkYear(year);
  return yearTable(year).get(d);
}

export const isHoliday = (d: CalendarDate): boolean => holidayName(d) !== undefined;

/** Every holiday of `year`, in date order. Throws as holidayName does outside HOLIDAY_YEARS. */
export function holidaysOf(year: number): readonly Holiday[] {
  checkYear(year);
  return [...yearTable(year)].map(([date, name]) => ({ date, name }));
}

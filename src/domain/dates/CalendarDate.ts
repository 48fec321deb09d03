import { RegistryError } from '../errors.ts';

/**
 * A Gregorian calendar date without time or zone, stored as `YYYY-MM-DD` (DESIGN §3: Gregorian in
 * storage). Being a string, it sorts and compares lexicographically in date order.
 */
export type CalendarDate = string & { readonly __brand: 'CalendarDate' };

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** True when `s` is a real date in `YYYY-MM-DD` form (rejects 2023-02-29, 2024-13-01, ...). */
export function isCalendarDate(s: string): s is CalendarDate {
  // Hand-rolled (no RegExp match array): this runs for every row of a bulk load.
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number written by the ASCII digits s[from..to), or -1 if any is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function parseCalendarDate(s: string): CalendarDate {
  if (!isCalendarDate(s)) {
    throw new RegistryError(
      'invalid',
      `not a calendar date (YYYY-MM-DD): ${JSON.stringify(s)}`,
      'date.malformed',
    );
  }
  return s;
}

export function calendarDate(year: number, month: number, day: number): CalendarDate {
  return parseCalendarDate(
    `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  );
}

export function dateParts(d: CalendarDate): { year: number; month: number; day: number } {
  return { year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) };
}

/** Adds whole years; 29 February becomes 28 February in a non-leap target year. */
export function addYears(d: CalendarDate, years: number): CalendarDate {
  const { year, month, day } = dateParts(d);
  const y = year + years;
  return calendarDate(y, month, Math.min(day, daysInMonth(y, month)));
}

/** Whole years completed from `birth` to `on` (age in the civil sense). */
export function yearsBetween(birth: CalendarDate, on: CalendarDate): number {
  const b = dateParts(birth);
  const o = dateParts(on);
  let years = o.year - b.year;
  if (o.month < b.month || (o.month === b.month && o.day < b.day)) years -= 1;
  return years;
}

/**
 * Days since 1970-01-01 (proleptic Gregorian), by Howard Hinnant's days-from-civil algorithm:
 * pure integer arithmetic, no `Date`, exact for every year this type can hold.
 */
export function toEpochDay(d: CalendarDate): number {
  const { year, month, day } = dateParts(d);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of `toEpochDay`. Throws RegistryError('invalid') outside years 1–9999. */
export function fromEpochDay(n: number): CalendarDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) {
    throw new RegistryError(
      'invalid',
      `date out of range (years 1–9999): day ${n}`,
      'date.out-of-range',
    );
  }
  return calendarDate(year, month, day);
}

/** `d` moved by a whole number of days (negative moves back). */
export const addDays = (d: CalendarDate, days: number): CalendarDate =>
  fromEpochDay(toEpochDay(d) + days);

import type { CalendarDate } from '../domain/dates/CalendarDate.ts';

/** Today's date in Japan (Asia/Tokyo): the date a change is validated against (R19). */
export function todayInJapan(now = new Date()): CalendarDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(now) as CalendarDate;
}

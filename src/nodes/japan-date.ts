import type { CalendarDate } from '../domain/dates/CalendarDate.ts';

/**
 * Built once: constructing an `Intl.DateTimeFormat` with a time zone costs tens of microseconds,
 * and a providing node asks for today on every query (the provision benchmark found 18 % of a
 * query's CPU here when it was built per call).
 */
const JAPAN_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });

/**
 * The last answer, by minute: formatting still cost ~2 % of a provision query's CPU. Japan's
 * offset from UTC is whole hours (JST, no daylight saving since 1951), so the date changes on a
 * minute boundary and a minute's answer holds for all of it.
 */
let cached: { minute: number; date: CalendarDate } | undefined;

/** Today's date in Japan (Asia/Tokyo): the date a change is validated against (R19). */
export function todayInJapan(now = new Date()): CalendarDate {
  const minute = Math.floor(now.getTime() / 60_000);
  if (cached?.minute !== minute) cached = { minute, date: JAPAN_DATE.format(now) as CalendarDate };
  return cached.date;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addYears,
  calendarDate,
  fromEpochDay,
  isCalendarDate,
  parseCalendarDate,
  toEpochDay,
  yearsBetween,
} from './CalendarDate.ts';

const d = parseCalendarDate;

describe('CalendarDate', () => {
  it('accepts real dates and refuses impossible ones', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false); // not a leap year
    expect(isCalendarDate('1900-02-29')).toBe(false); // century, not divisible by 400
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('2024-13-01')).toBe(false);
    expect(isCalendarDate('2024-1-01')).toBe(false);
    expect(() => parseCalendarDate('2024/01/01')).toThrow(
      expect.objectContaining({ code: 'invalid', reason: 'date.malformed' }),
    );
  });

  it('addYears turns 29 February into 28 February in a common year', () => {
    expect(addYears(d('2024-02-29'), 1)).toBe('2025-02-28');
    expect(addYears(d('2024-02-29'), 4)).toBe('2028-02-29');
    expect(addYears(d('2025-03-01'), -5)).toBe('2020-03-01');
  });

  it('yearsBetween counts completed years', () => {
    expect(yearsBetween(d('2000-05-10'), d('2020-05-09'))).toBe(19);
    expect(yearsBetween(d('2000-05-10'), d('2020-05-10'))).toBe(20);
  });

  it('epoch days: known values and round trip', () => {
    expect(toEpochDay(d('1970-01-01'))).toBe(0);
    expect(toEpochDay(d('2000-03-01'))).toBe(11017);
    expect(toEpochDay(d('1969-12-31'))).toBe(-1);
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (n) => {
        expect(toEpochDay(fromEpochDay(n))).toBe(n);
      }),
    );
  });

  it('addDays crosses month, year and leap-day boundaries', () => {
    expect(addDays(d('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(d('2024-02-29'), 1)).toBe('2024-03-01');
    expect(addDays(d('2023-02-28'), 1)).toBe('2023-03-01');
    expect(addDays(d('2024-12-31'), 1)).toBe('2025-01-01');
    expect(addDays(d('2025-01-01'), -1)).toBe('2024-12-31');
    expect(calendarDate(1, 1, 1)).toBe('0001-01-01');
    expect(() => addDays(d('0001-01-01'), -1)).toThrow(
      expect.objectContaining({ reason: 'date.out-of-range' }),
    );
  });
});

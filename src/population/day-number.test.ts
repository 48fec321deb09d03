import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { dateFromDayNumber, dayNumber, yearsInDays } from './day-number.ts';

describe('day numbers', () => {
  it('agree with the platform calendar (Date.UTC) across centuries, leap days included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -300_000, max: 300_000 }), (days) => {
        const iso = new Date(days * 86_400_000).toISOString().slice(0, 10);
        expect(dateFromDayNumber(days)).toBe(iso);
        expect(dayNumber(iso as CalendarDate)).toBe(days);
      }),
    );
    expect(dayNumber('1970-01-01' as CalendarDate)).toBe(0);
    expect(dateFromDayNumber(dayNumber('2024-02-28' as CalendarDate) + 1)).toBe('2024-02-29');
    expect(dateFromDayNumber(dayNumber('2100-02-28' as CalendarDate) + 1)).toBe('2100-03-01');
  });

  it('yearsInDays uses the mean Gregorian year (400 years = 146097 days)', () => {
    expect(yearsInDays(400)).toBe(146_097);
    expect(yearsInDays(18)).toBe(6574);
  });
});

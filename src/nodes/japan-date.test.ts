import { describe, expect, it } from 'vitest';
import { todayInJapan } from './japan-date.ts';

describe('todayInJapan', () => {
  it('is the date in Asia/Tokyo (UTC+9), not the machine’s', () => {
    expect(todayInJapan(new Date('2026-11-24T14:59:59Z'))).toBe('2026-11-24');
    expect(todayInJapan(new Date('2026-11-24T15:00:00Z'))).toBe('2026-11-25');
    expect(todayInJapan(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01');
  });

  it('answers each instant, also within one minute either side of midnight in Japan', () => {
    // The answer is kept per minute: the same minute gives the same date, the next minute may not.
    expect(todayInJapan(new Date('2026-11-24T14:59:00.000Z'))).toBe('2026-11-24');
    expect(todayInJapan(new Date('2026-11-24T14:59:59.999Z'))).toBe('2026-11-24');
    expect(todayInJapan(new Date('2026-11-24T15:00:00.000Z'))).toBe('2026-11-25');
    expect(todayInJapan(new Date('2026-11-24T14:59:30.000Z'))).toBe('2026-11-24');
  });
});

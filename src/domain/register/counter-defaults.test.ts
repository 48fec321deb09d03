import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { withCounterDefaults } from './counter-defaults.ts';

const TODAY = '2026-11-25' as CalendarDate;

describe('withCounterDefaults (what a counter leaves out)', () => {
  it('fills today’s dates and a new household for an entry made on a notification', () => {
    expect(withCounterDefaults('move-in', { address: 'x' }, TODAY)).toEqual({
      address: 'x',
      changeDate: TODAY,
      notifiedOn: TODAY,
      household: { kind: 'new' },
    });
  });

  it('gives an operation by authority no 届出年月日, and keeps what was given', () => {
    expect(withCounterDefaults('entry-by-authority', { changeDate: '2026-01-01' }, TODAY)).toEqual({
      changeDate: '2026-01-01',
      household: { kind: 'new' },
    });
    expect(withCounterDefaults('deletion-by-authority', {}, TODAY)).toEqual({ changeDate: TODAY });
  });

  it('adds no field the operation does not have (出生 has no 異動年月日 of its own)', () => {
    expect(withCounterDefaults('birth', {}, TODAY)).toEqual({ notifiedOn: TODAY });
  });
});

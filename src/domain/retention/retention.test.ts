import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity, buildRecord, date } from '../change/change-builders.ts';
import type { HistoryEntry } from '../change/ChangeEvent.ts';
import type { ChangeReason } from '../change/ChangeReason.ts';
import { addYears, fromEpochDay, toEpochDay } from '../dates/CalendarDate.ts';
import type { RetentionPolicy } from './retention.ts';
import {
  DEFAULT_RETENTION_POLICY,
  decideErasure,
  historyCutoff,
  retentionCutoff,
  validateRetentionPolicy,
} from './retention.ts';

const policy = DEFAULT_RETENTION_POLICY;
const v = buildIdentity();

const entry = (sequence: number, reason: ChangeReason, changeDate: string): HistoryEntry => ({
  sequence,
  event: buildEvent(reason, v, { changeDate: date(changeDate), transactionId: `t${sequence}` }),
  before: sequence === 1 ? undefined : v,
});

/** Moved in 2015, moved within 2018-06-10 and 2020-02-29 (leap day), corrected 2023-01-01. */
const history = [
  entry(1, 'move-in', '2015-04-01'),
  entry(2, 'move-within', '2018-06-10'),
  entry(3, 'move-within', '2020-02-29'),
  entry(4, 'correction-by-authority', '2023-01-01'),
];
const resident = buildRecord({
  lastChange: { reason: 'correction-by-authority', date: date('2023-01-01') },
  version: 4,
});

const decide = (record = resident, h = history, today: string, p: RetentionPolicy = policy) =>
  decideErasure(record, h, p, date(today));

describe('retention: history entries (R1: 5 years, then reliably erased)', () => {
  it('R1: an entry is due on the day its change date + 5 years is reached, not the day before', () => {
    expect(decide(resident, history, '2023-06-09').historySequences).toEqual([1]);
    expect(decide(resident, history, '2023-06-10').historySequences).toEqual([1, 2]);
  });

  it('R1: a change on 29 February is due on 28 February five years on (no 29th in 2025)', () => {
    expect(decide(resident, history, '2025-02-27').historySequences).toEqual([1, 2]);
    expect(decide(resident, history, '2025-02-28').historySequences).toEqual([1, 2, 3]);
  });

  it('R1: the newest entry of a person is never erased on its own (it carries the current state)', () => {
    const d = decide(resident, history, '2099-01-01');
    expect(d).toEqual({ historySequences: [1, 2, 3], eraseRecord: false });
    // order of the input does not matter: "newest" is the highest sequence
    expect(
      decide(resident, [...history].reverse(), '2099-01-01').historySequences.toSorted(),
    ).toEqual([1, 2, 3]);
  });

  it('R1: a resident record is never erased, however old', () => {
    expect(decide(resident, [], '2999-01-01')).toEqual({
      historySequences: [],
      eraseRecord: false,
    });
  });
});

describe('retention: removed records (R1, R33)', () => {
  const removedOn = (reason: ChangeReason, d: string, movedOverseas = false) =>
    buildRecord({
      status: 'removed',
      movedOverseas,
      lastChange: { reason, date: date(d) },
      version: 5,
    });
  const withRemoval = (reason: ChangeReason, d: string) => [...history, entry(5, reason, d)];

  it('R33: a record removed by death goes with all its history 5 years after the removal, not a day earlier', () => {
    const dead = removedOn('death', '2024-03-15');
    const h = withRemoval('death', '2024-03-15');
    expect(decide(dead, h, '2029-03-14')).toEqual({
      historySequences: [1, 2, 3, 4],
      eraseRecord: false,
    });
    expect(decide(dead, h, '2029-03-15')).toEqual({
      historySequences: [1, 2, 3, 4, 5],
      eraseRecord: true,
    });
  });

  it('R33: a record removed on 29 February goes on 28 February five years on', () => {
    const gone = removedOn('deletion-by-authority', '2024-02-29');
    expect(decide(gone, [], '2029-02-27').eraseRecord).toBe(false);
    expect(decide(gone, [], '2029-02-28').eraseRecord).toBe(true);
  });

  it('R1: an overseas mover (国外転出) is kept, history included, for overseasYears (150 by default)', () => {
    const abroad = removedOn('move-out', '2024-03-15', true);
    const h = withRemoval('move-out', '2024-03-15');
    expect(decide(abroad, h, '2030-01-01')).toEqual({ historySequences: [], eraseRecord: false });
    expect(decide(abroad, h, '2174-03-14')).toEqual({ historySequences: [], eraseRecord: false });
    expect(decide(abroad, h, '2174-03-15')).toEqual({
      historySequences: [1, 2, 3, 4, 5],
      eraseRecord: true,
    });
  });

  it('R1: a 転出 within Japan is an ordinary removal (5 years)', () => {
    expect(decide(removedOn('move-out', '2024-03-15'), [], '2029-03-15').eraseRecord).toBe(true);
  });

  it('R33: the period runs from the last change: a correction of a removed record restarts it', () => {
    const corrected = removedOn('correction-by-authority', '2026-01-10');
    expect(decide(corrected, [], '2029-03-15').eraseRecord).toBe(false);
    expect(decide(corrected, [], '2031-01-10').eraseRecord).toBe(true);
  });
});

describe('retention: policy and cut-off', () => {
  it.each([
    [{ historyYears: 0, overseasYears: 150 }, 'retention.history-years'],
    [{ historyYears: -5, overseasYears: 150 }, 'retention.history-years'],
    [{ historyYears: 2.5, overseasYears: 150 }, 'retention.history-years'],
    [{ historyYears: Number.NaN, overseasYears: 150 }, 'retention.history-years'],
    [{ historyYears: '5' as unknown as number, overseasYears: 150 }, 'retention.history-years'],
    [{ historyYears: 5, overseasYears: 0 }, 'retention.overseas-years'],
    [{ historyYears: 5, overseasYears: 10_000 }, 'retention.overseas-years'],
  ])('R33: refuses the policy %j', (p, reason) => {
    expect(() => validateRetentionPolicy(p)).toThrow(
      expect.objectContaining({ code: 'invalid', reason }),
    );
    expect(() => decideErasure(resident, history, p, date('2024-01-01'))).toThrow(
      expect.objectContaining({ reason }),
    );
    expect(() => historyCutoff(p, date('2024-01-01'))).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
  });

  it('R33: historyCutoff: the day after today − 5 years, exact at leap days', () => {
    expect(historyCutoff(policy, date('2024-06-10'))).toBe('2019-06-11');
    expect(historyCutoff(policy, date('2025-02-28'))).toBe('2020-03-01'); // 2020-02-29 is due that day
    expect(historyCutoff(policy, date('2025-02-27'))).toBe('2020-02-28');
    expect(historyCutoff({ historyYears: 4, overseasYears: 150 }, date('2024-02-29'))).toBe(
      '2020-03-01',
    );
    expect(retentionCutoff(150, date('0100-01-01'))).toBe('0001-01-01');
  });

  it('R33: property — a change date is before the cut-off exactly when its period has ended', () => {
    const day = (lo: string, hi: string) =>
      fc.integer({ min: toEpochDay(date(lo)), max: toEpochDay(date(hi)) }).map(fromEpochDay);
    fc.assert(
      fc.property(
        day('1990-01-01', '2100-12-31'),
        day('1990-01-01', '2100-12-31'),
        fc.integer({ min: 1, max: 200 }),
        (d, today, years) => {
          const cutoff = retentionCutoff(years, today);
          expect(d < cutoff).toBe(addYears(d, years) <= today);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('R33: property — whatever decideErasure erases is before the matching cut-off', () => {
    const anyDate = fc
      .integer({ min: toEpochDay(date('2000-01-01')), max: toEpochDay(date('2040-12-31')) })
      .map(fromEpochDay);
    fc.assert(
      fc.property(
        fc.array(anyDate, { minLength: 1, maxLength: 8 }),
        anyDate,
        fc.boolean(),
        fc.boolean(),
        (dates, today, removed, abroad) => {
          const sorted = [...dates].sort();
          const h = sorted.map((d, i) => entry(i + 1, i === 0 ? 'move-in' : 'move-within', d));
          const last = sorted[sorted.length - 1]!;
          const record = buildRecord({
            status: removed ? 'removed' : 'resident',
            movedOverseas: removed && abroad,
            lastChange: { reason: removed ? 'move-out' : 'move-within', date: last },
          });
          const d = decideErasure(record, h, policy, today);
          const historyCut = historyCutoff(policy, today);
          for (const seq of d.historySequences) {
            const e = h.find((x) => x.sequence === seq)!;
            if (!d.eraseRecord) expect(e.event.changeDate < historyCut).toBe(true);
          }
          if (d.eraseRecord) {
            expect(record.status).toBe('removed');
            expect(
              record.lastChange.date <
                retentionCutoff(abroad ? policy.overseasYears : policy.historyYears, today),
            ).toBe(true);
            expect(d.historySequences).toHaveLength(h.length);
          } else {
            expect(d.historySequences).not.toContain(h.length); // never the newest on its own
          }
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { DisclosureChannel, DisclosureLine } from './model.ts';
import { disclosureReportModel, japanTime, parseInstant } from './model.ts';
import { PASSPORT, PENSION, RESIDENT, busyReport, line, report } from './test-fixtures.ts';

const refusal = (fn: () => unknown): RegistryError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
};

describe('R17: the disclosure report model', () => {
  it('R17: lists the lines newest first, comparing instants, not their written form', () => {
    const m = disclosureReportModel(
      report([
        line({ at: '2026-03-14T00:30:00Z', queryId: 'a' }), // 09:30 JST
        line({ at: '2026-03-14T10:00:00+09:00', queryId: 'b' }), // 10:00 JST: the newest
        line({ at: '2025-12-01T12:00:00.5Z', queryId: 'c' }),
      ]),
    );
    expect(m.lines.map((l) => l.queryId)).toEqual(['b', 'a', 'c']);
    expect(m.lines.map((l) => l.number)).toEqual([1, 2, 3]);
  });

  it('R17: orders lines of the same instant by query id, whatever order the store returned', () => {
    const at = '2026-03-14T00:00:00Z';
    const m = disclosureReportModel(
      report([line({ at, queryId: 'q-2' }), line({ at, queryId: 'q-1' })]),
    );
    expect(m.lines.map((l) => l.queryId)).toEqual(['q-1', 'q-2']);
  });

  it('R17: prints each instant as the date and time in Japan, Gregorian and 和暦', () => {
    expect(japanTime('2026-03-14T01:23:45.678Z')).toEqual({
      at: '2026-03-14T01:23:45.678Z',
      date: '2026-03-14',
      time: '10:23',
      eraDate: '令和8年3月14日',
    });
    // The last minutes of 平成 and the first of 令和, in Japan, where the era changed.
    expect(japanTime('2019-04-30T14:59:00Z').eraDate).toBe('平成31年4月30日');
    expect(japanTime('2019-04-30T15:00:00Z').eraDate).toBe('令和元年5月1日');
    expect(japanTime('2019-05-01T08:00:00+09:00').time).toBe('08:00');
  });

  it('R17: keeps only the lines whose date in Japan lies in the period, both ends included', () => {
    const period = { from: '2025-04-01' as CalendarDate, to: '2026-03-31' as CalendarDate };
    const m = disclosureReportModel(
      report(
        [
          line({ at: '2025-03-31T14:59:59Z', queryId: 'before' }), // 2025-03-31 23:59 JST
          line({ at: '2025-03-31T15:00:00Z', queryId: 'first' }), // 2025-04-01 00:00 JST
          line({ at: '2026-03-31T14:59:59Z', queryId: 'last' }), // 2026-03-31 23:59 JST
          line({ at: '2026-03-31T15:00:00Z', queryId: 'after' }), // 2026-04-01 00:00 JST
        ],
        { period },
      ),
    );
    expect(m.lines.map((l) => l.queryId)).toEqual(['last', 'first']);
    expect(m.period.from).toEqual({ date: '2025-04-01', eraDate: '令和7年4月1日' });
    expect(m.period.to).toEqual({ date: '2026-03-31', eraDate: '令和8年3月31日' });
  });

  it('R17: a period without a start covers every record kept up to its end', () => {
    const m = disclosureReportModel(
      report([line({ at: '2003-08-25T00:00:00Z' })], {
        period: { to: '2026-03-31' as CalendarDate },
      }),
    );
    expect(m.period.from).toBeUndefined();
    expect(m.lines).toHaveLength(1);
    expect(m.lines[0]!.when.eraDate).toBe('平成15年8月25日');
  });

  it('R17: summarises per recipient: counts by channel, latest date, affairs most frequent first', () => {
    const m = disclosureReportModel(
      report([
        line({ at: '2025-06-01T00:00:00Z', ...PENSION, channel: 'batch', queryId: '1' }),
        line({ at: '2025-07-01T00:00:00Z', ...PENSION, channel: 'immediate', queryId: '2' }),
        line({ at: '2025-08-01T00:00:00Z', ...PASSPORT, channel: 'immediate', queryId: '3' }),
        line({ at: '2025-05-02T00:00:00Z', ...PENSION, channel: 'media', queryId: '5' }),
        line({
          at: '2025-05-01T00:00:00Z',
          ...PENSION,
          affairId: '別表第一:九',
          affairDescription: '国民年金法による給付の支給に関する事務',
          queryId: '4',
        }),
      ]),
    );
    // The passport office's provision is the most recent, so it comes first.
    expect(m.recipients.map((r) => [r.recipientName, r.count, r.byChannel])).toEqual([
      ['外務省', 1, { immediate: 1, batch: 0, media: 0 }],
      ['日本年金機構', 4, { immediate: 1, batch: 2, media: 1 }],
    ]);
    const pension = m.recipients[1]!;
    expect(pension.latest.date).toBe('2025-07-01');
    expect(pension.affairs.map((a) => [a.affairId, a.count])).toEqual([
      ['別表第一:一の二', 3],
      ['別表第一:九', 1],
    ]);
    expect(pension.affairs[0]!.legalBasis).toBe(PENSION.legalBasis);
    expect(m.totals).toEqual({
      lines: 5,
      byChannel: { immediate: 2, batch: 2, media: 1 },
      recipients: 2,
    });
    expect(m.lines.find((l) => l.queryId === '5')!.channelLabel).toBe('媒体提供');
  });

  it('R17: a report without provisions has no lines, no recipients and zero counts', () => {
    const m = disclosureReportModel(report([]));
    expect(m.lines).toEqual([]);
    expect(m.recipients).toEqual([]);
    expect(m.totals).toEqual({
      lines: 0,
      byChannel: { immediate: 0, batch: 0, media: 0 },
      recipients: 0,
    });
  });

  it("R17: shows the resident's items with the birth date in 和暦, and never the individual number", () => {
    const m = disclosureReportModel(report([line()]));
    expect(m.resident).toEqual({
      residentCode: RESIDENT.residentCode,
      nameKanji: '渡邉　花子',
      nameKana: 'ワタナベ　ハナコ',
      sex: '女',
      birthDate: '1989-01-08',
      birthEraDate: '平成元年1月8日',
      address: RESIDENT.address,
    });
    // The model is the JSON form of the report too: the number must not leak through it.
    expect(JSON.stringify(m)).not.toContain(RESIDENT.individualNumber);
    expect(m.generatedAt).toMatchObject({ date: '2026-04-02', time: '09:30' });
  });

  it('refuses a record whose instant is not a strict ISO 8601 instant (rather than printing a wrong date)', () => {
    for (const at of [
      '2026-02-30T00:00:00Z', // Date.parse would roll it over to March 2
      '2026-03-14T24:00:00Z', // ... and this to the next day
      '2026-03-14T10:00:00', // no zone: which day it was in Japan is unknown
      '2026-03-14',
      'yesterday',
      '',
    ]) {
      const e = refusal(() => disclosureReportModel(report([line({ at })])));
      expect([at, e.code, e.reason]).toEqual([at, 'invalid', 'disclosure.instant']);
    }
    expect(parseInstant('2026-03-14T10:00:00.123456+09:00', 'x')).toBe(
      Date.UTC(2026, 2, 14, 1, 0, 0, 123),
    );
  });

  it('refuses a malformed or reversed period', () => {
    const reversed = refusal(() =>
      disclosureReportModel(
        report([], {
          period: { from: '2026-04-01' as CalendarDate, to: '2026-03-31' as CalendarDate },
        }),
      ),
    );
    expect([reversed.code, reversed.reason]).toEqual(['invalid', 'disclosure.period']);
    const malformed = refusal(() =>
      disclosureReportModel(report([], { period: { to: '2026-3-31' as CalendarDate } })),
    );
    expect([malformed.code, malformed.reason]).toEqual(['invalid', 'disclosure.period']);
  });

  it('refuses a record with an unknown channel: a guessed label would mislead the resident', () => {
    const e = refusal(() =>
      disclosureReportModel(report([line({ channel: 'email' as DisclosureChannel })])),
    );
    expect([e.code, e.reason]).toEqual(['invalid', 'disclosure.channel']);
  });

  it('R17 (property): the report does not depend on the order of the records, and loses none', () => {
    const lines = busyReport(40).lines;
    const expected = disclosureReportModel(report(lines));
    fc.assert(
      fc.property(fc.shuffledSubarray([...lines], { minLength: lines.length }), (shuffled) => {
        const m = disclosureReportModel(report(shuffled));
        expect(m).toEqual(expected);
      }),
      { numRuns: 50 },
    );
    expect(expected.lines).toHaveLength(40);
    expect(expected.recipients.reduce((n, r) => n + r.count, 0)).toBe(40);
    const instants = expected.lines.map((l) => Date.parse(l.at));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
  });

  it('R17 (property): every provision inside the period appears exactly once with its purpose and basis', () => {
    const arbLine = fc.record({
      at: fc
        .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) })
        .map((ms) => new Date(ms).toISOString()),
      queryId: fc.uuid(),
      affairDescription: fc.string({ minLength: 1 }),
      legalBasis: fc.string({ minLength: 1 }),
      channel: fc.constantFrom<DisclosureChannel>('immediate', 'batch', 'media'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbLine, { selector: (l) => l.queryId }), (partials) => {
        const lines: DisclosureLine[] = partials.map((p) => line(p));
        const m = disclosureReportModel(report(lines));
        const inside = lines.filter((l) => {
          const d = japanTime(l.at).date;
          return d >= '2025-04-01' && d <= '2026-03-31';
        });
        expect(m.lines.map((l) => l.queryId).sort()).toEqual(inside.map((l) => l.queryId).sort());
        for (const l of m.lines) {
          const source = inside.find((s) => s.queryId === l.queryId)!;
          expect([l.affairDescription, l.legalBasis]).toEqual([
            source.affairDescription,
            source.legalBasis,
          ]);
        }
      }),
      { numRuns: 100 },
    );
  });
});

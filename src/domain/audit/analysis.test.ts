import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANALYSIS_RULES,
  DEFAULT_THRESHOLDS,
  OFFICE_HOURS,
  Tally,
  analyseRecords,
  findingKey,
  holidayAt,
  instantMs,
  isOffHours,
  isoInstant,
  safeIdentifier,
  thresholdsFrom,
  type ActInput,
  type AnalysisInput,
  type DisclosureInput,
  type RefusalInput,
  type RuleId,
} from './analysis.ts';

// Tuesday 2026-11-24 10:00 JST = 01:00 UTC: office hours.
const OFFICE = Date.parse('2026-11-24T01:00:00.000Z');
const at = (base: number, i: number, spreadMs = 1000): string =>
  new Date(base + i * spreadMs).toISOString();

const act = (i: number, over: Partial<ActInput> = {}): ActInput => ({
  seq: i + 1,
  at: at(OFFICE, i),
  operator: 'clerk-1',
  operation: 'provision.query',
  target: '',
  result: 'ok',
  ...over,
});
const refusal = (i: number, over: Partial<RefusalInput> = {}): RefusalInput => ({
  id: i + 1,
  at: at(OFFICE, i),
  recipientId: 'agency-7',
  reason: 'provision.recipient-suspended',
  ...over,
});
const disclosure = (i: number, over: Partial<DisclosureInput> = {}): DisclosureInput => ({
  id: i + 1,
  at: at(OFFICE, i),
  recipientId: 'agency-7',
  searcher: 'S-001',
  residentCode: String(10_000_000_000 + i),
  ...over,
});

/** For each rule: n records that count n times towards it (and towards no other rule's threshold). */
const CRAFTED: Record<RuleId, (n: number) => AnalysisInput> = {
  'volume.operator': (n) => ({ acts: Array.from({ length: n }, (_, i) => act(i)) }),
  // Saturday 2026-11-28 10:00 JST, one act every 10 minutes.
  'off-hours': (n) => ({
    acts: Array.from({ length: n }, (_, i) =>
      act(i, { at: at(Date.parse('2026-11-28T01:00:00.000Z'), i, 600_000) }),
    ),
  }),
  'repeat.same-person': (n) => ({
    acts: Array.from({ length: n }, (_, i) =>
      act(i, { target: '12345678901', at: at(OFFICE, i, 60_000) }),
    ),
  }),
  'refused.burst': (n) => ({
    acts: Array.from({ length: n }, (_, i) =>
      act(i, { result: 'refused', operation: 'operator.grant' }),
    ),
  }),
  'suspended.recipient': (n) => ({ refusals: Array.from({ length: n }, (_, i) => refusal(i)) }),
  'agency.searcher-volume': (n) => ({
    disclosures: Array.from({ length: n }, (_, i) => disclosure(i)),
  }),
};

describe('access-log analysis rules (R16)', () => {
  it.each(ANALYSIS_RULES.map((r) => [r.id, r.threshold] as const))(
    '%s fires above its threshold (%d) and stays silent at it',
    (rule, threshold) => {
      const above = analyseRecords(CRAFTED[rule](threshold + 1)).filter((f) => f.rule === rule);
      expect(above).toHaveLength(1);
      expect(above[0]).toMatchObject({ rule, count: threshold + 1, threshold });
      expect(above[0]!.detail).toMatch(new RegExp(`^${rule.replace('.', '\\.')} `));
      const at = analyseRecords(CRAFTED[rule](threshold)).filter((f) => f.rule === rule);
      expect(at).toEqual([]);
    },
  );

  it('off-hours: office hours are 08:00–20:00 JST on weekdays', () => {
    expect(isOffHours('2026-11-23T23:00:00.000Z')).toBe(false); // Tue 08:00 JST
    expect(isOffHours('2026-11-23T22:59:59.999Z')).toBe(true); // Tue 07:59 JST
    expect(isOffHours('2026-11-24T10:59:59.999Z')).toBe(false); // Tue 19:59 JST
    expect(isOffHours('2026-11-24T11:00:00.000Z')).toBe(true); // Tue 20:00 JST
    expect(isOffHours('2026-11-27T15:00:00.000Z')).toBe(true); // Sat 00:00 JST
    expect(isOffHours('2026-11-29T23:00:00.000Z')).toBe(false); // Mon 08:00 JST
  });

  it('off-hours: a public holiday is off-hours all day, and the finding names it', () => {
    // 元日 2026 (a Thursday), 10:00 JST; 3 acts.
    const newYear = Array.from({ length: 3 }, (_, i) =>
      act(i, { at: at(Date.parse('2026-01-01T01:00:00.000Z'), i, 600_000) }),
    );
    expect(isOffHours(newYear[0]!.at)).toBe(true);
    expect(holidayAt(newYear[0]!.at)).toBe('元日');
    const [f, ...rest] = analyseRecords({ acts: newYear });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      rule: 'off-hours',
      subject: 'clerk-1',
      count: 3,
      from: '2025-12-31T15:00:00.000Z',
      to: '2026-01-01T15:00:00.000Z',
    });
    expect(f!.detail).toBe(
      'off-hours operator=clerk-1 count=3 threshold=0 window=2025-12-31T15:00:00.000Z/2026-01-01T15:00:00.000Z holiday=元日',
    );
    // Golden Week 2026: 憲法記念日 (Sun), みどりの日, こどもの日, 振替休日 (Wed 6 May), then work.
    const gw = ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07'].map((day, i) =>
      act(i, { at: `${day}T02:00:00.000Z`, operator: 'clerk-2' }),
    );
    expect(
      analyseRecords({ acts: gw }).map((x) => x.detail.slice(x.detail.indexOf('holiday='))),
    ).toEqual(['holiday=みどりの日', 'holiday=こどもの日', 'holiday=振替休日']);
    // The JST date decides: 2026-05-06T15:00Z is 7 May 00:00 JST, an ordinary Thursday at night.
    expect(holidayAt('2026-05-06T14:59:59.999Z')).toBe('振替休日');
    expect(holidayAt('2026-05-06T15:00:00.000Z')).toBeUndefined();
    // A Saturday that is no holiday: a finding without a holiday.
    expect(analyseRecords(CRAFTED['off-hours'](1))[0]!.detail).not.toContain('holiday=');
  });

  it('off-hours: holidays can be switched off (analysis.holidays false); unknown years are weekdays', () => {
    const tally = new Tally(OFFICE_HOURS, false);
    tally.addAct(act(0, { at: '2026-01-01T01:00:00.000Z' }));
    expect(tally.takeClosed(DEFAULT_THRESHOLDS)).toEqual([]);
    expect(isOffHours('2026-01-01T01:00:00.000Z', OFFICE_HOURS, false)).toBe(false);
    // 2100-01-01 is a Friday; the holiday rules are not known for 2100: no finding, no error.
    expect(holidayAt('2100-01-01T01:00:00.000Z')).toBeUndefined();
    expect(analyseRecords({ acts: [act(0, { at: '2100-01-01T01:00:00.000Z' })] })).toEqual([]);
    expect(holidayAt('not a time')).toBeUndefined();
  });

  it('property: the clock-free instant arithmetic agrees with Date', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('1900-01-01T00:00:00Z'),
          max: Date.parse('2200-01-01T00:00:00Z'),
        }),
        (ms) => {
          const iso = new Date(ms).toISOString();
          expect(instantMs(iso)).toBe(ms);
          expect(isoInstant(ms)).toBe(iso);
          const jst = new Date(ms + 9 * 3_600_000);
          const day = jst.getUTCDay();
          const hour = jst.getUTCHours();
          const holiday = holidayAt(iso) !== undefined;
          expect(isOffHours(iso)).toBe(day === 0 || day === 6 || hour < 8 || hour >= 20 || holiday);
          expect(isOffHours(iso, OFFICE_HOURS, false)).toBe(
            day === 0 || day === 6 || hour < 8 || hour >= 20,
          );
        },
      ),
    );
    expect(instantMs('2026-11-24T01:02:03Z')).toBe(Date.parse('2026-11-24T01:02:03Z'));
    expect(instantMs('yesterday')).toBeNaN();
    expect(instantMs('2026-02-30T00:00:00.000Z')).toBeNaN();
  });

  it('the system operator is not an operator the rules watch', () => {
    const acts = Array.from({ length: 300 }, (_, i) =>
      act(i, { operator: 'system', at: at(Date.parse('2026-11-28T01:00:00.000Z'), i) }),
    );
    expect(analyseRecords({ acts })).toEqual([]);
  });

  it('windows: an hour in UTC, a day in JST; counts split across windows do not add up', () => {
    // 150 acts just before 11:00 JST and 150 just after: two hours, neither above 200.
    const acts = Array.from({ length: 300 }, (_, i) =>
      act(i, { at: at(Date.parse('2026-11-24T01:57:30.000Z'), i) }),
    );
    expect(analyseRecords({ acts })).toEqual([]);
    // The JST day of 2026-11-24 starts at 2026-11-23T15:00Z.
    const [f] = analyseRecords(CRAFTED['repeat.same-person'](11));
    expect(f).toMatchObject({
      subjectKind: 'operator',
      subject: 'clerk-1',
      target: '12345678901',
      from: '2026-11-23T15:00:00.000Z',
      to: '2026-11-24T15:00:00.000Z',
    });
  });

  it('repeat.same-person counts disclosures per recipient, and searcher volume per recipient/searcher', () => {
    const disclosures = Array.from({ length: 11 }, (_, i) =>
      disclosure(i, { residentCode: '98765432109' }),
    );
    const findings = analyseRecords({ disclosures });
    expect(findings.map((f) => [f.rule, f.subjectKind, f.subject, f.target])).toEqual([
      ['repeat.same-person', 'recipient', 'agency-7', '98765432109'],
    ]);
    const many = analyseRecords(CRAFTED['agency.searcher-volume'](301));
    expect(many[0]).toMatchObject({ subjectKind: 'searcher', subject: 'agency-7/S-001' });
  });

  it('other refusal reasons do not count as searches for a suspended recipient', () => {
    const refusals = Array.from({ length: 5 }, (_, i) =>
      refusal(i, { reason: 'provision.not-permitted' }),
    );
    expect(analyseRecords({ refusals })).toEqual([]);
  });

  it('thresholds are configurable; unknown rules and bad numbers are refused', () => {
    const t = thresholdsFrom({ 'volume.operator': 5 });
    expect(analyseRecords(CRAFTED['volume.operator'](6), t)).toHaveLength(1);
    expect(t['off-hours']).toBe(DEFAULT_THRESHOLDS['off-hours']);
    expect(() => thresholdsFrom({ 'no.such': 1 })).toThrow(RangeError);
    expect(() => thresholdsFrom({ 'off-hours': -1 })).toThrow(RangeError);
  });

  it('takeClosed hands over ended windows only and forgets them', () => {
    const tally = new Tally();
    for (const a of CRAFTED['volume.operator'](201).acts!) tally.addAct(a);
    const hourEnd = Date.parse('2026-11-24T02:00:00.000Z');
    expect(tally.takeClosed(DEFAULT_THRESHOLDS, hourEnd - 1)).toEqual([]);
    expect(tally.takeClosed(DEFAULT_THRESHOLDS, hourEnd).map((f) => f.rule)).toEqual([
      'volume.operator',
    ]);
    expect(tally.takeClosed(DEFAULT_THRESHOLDS)).toEqual([]);
    expect(tally.size).toBe(0);
  });

  it('a searcher written as a name is counted under a hash, never shown', () => {
    expect(safeIdentifier('S-001')).toBe('S-001');
    const h = safeIdentifier('山田 太郎');
    expect(h).toMatch(/^#[0-9a-f]{8}$/);
    expect(safeIdentifier('#0000')).not.toBe('#0000');
  });

  it('property: findings hold nothing but rule ids, identifiers from the input, counts and times', () => {
    const text = fc.oneof(
      fc.constantFrom('clerk-1', 'auditor-2', 'agency-7', 'S-001', '12345678901', 'system'),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('山田 太郎', '東京都千代田区1-1', 'a b'),
    );
    const time = fc
      .integer({ min: Date.parse('2026-11-20T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') })
      .map((ms) => new Date(ms).toISOString());
    const acts = fc.array(
      fc.record({
        seq: fc.nat(),
        at: time,
        operator: text,
        operation: fc.constantFrom('provision.query', 'audit.read'),
        target: fc.oneof(text, fc.constant('12345678901')),
        result: fc.constantFrom('ok' as const, 'refused' as const, 'failed' as const),
      }),
      { maxLength: 60 },
    );
    const refusals = fc.array(
      fc.record({
        id: fc.nat(),
        at: time,
        recipientId: text,
        reason: fc.constantFrom('provision.recipient-suspended', 'provision.not-permitted'),
      }),
      { maxLength: 20 },
    );
    const disclosures = fc.array(
      fc.record({
        id: fc.nat(),
        at: time,
        recipientId: text,
        searcher: fc.option(text, { nil: undefined }),
        residentCode: fc.constantFrom('12345678901', '98765432109'),
      }),
      { maxLength: 40 },
    );
    const thresholds = thresholdsFrom(
      Object.fromEntries(ANALYSIS_RULES.map((r) => [r.id, r.id === 'off-hours' ? 0 : 1])),
    );
    fc.assert(
      fc.property(acts, refusals, disclosures, (a, r, d) => {
        const findings = analyseRecords({ acts: a, refusals: r, disclosures: d }, thresholds);
        const idents = new Set(
          [
            ...a.flatMap((x) => [x.operator, x.target]),
            ...r.map((x) => x.recipientId),
            ...d.flatMap((x) => [x.recipientId, x.searcher ?? '', x.residentCode]),
          ].map(safeIdentifier),
        );
        const keys = new Set<string>();
        for (const f of findings) {
          expect(ANALYSIS_RULES.map((x) => x.id)).toContain(f.rule);
          for (const part of f.subject.split('/')) expect(idents.has(part)).toBe(true);
          if (f.target !== undefined) expect(f.target).toMatch(/^\d{11}$/);
          expect(Number.isSafeInteger(f.count) && f.count > f.threshold).toBe(true);
          const [rule, ...pairs] = f.detail.split(' ');
          expect(rule).toBe(f.rule);
          for (const p of pairs) {
            const k = p.slice(0, p.indexOf('='));
            const v = p.slice(p.indexOf('=') + 1);
            if (k === 'count' || k === 'threshold') expect(v).toMatch(/^\d+$/);
            else if (k === 'window') expect(v).toMatch(/^[\d:.TZ-]+\/[\d:.TZ-]+$/);
            else if (k === 'target') expect(v).toMatch(/^\d{11}$/);
            else if (k === 'holiday') expect(v).toBe(holidayAt(f.from));
            else {
              expect(k).toBe(f.subjectKind);
              for (const part of v.split('/')) expect(idents.has(part)).toBe(true);
            }
          }
          // Printable ASCII but for a holiday's name (23 November 2026 is 勤労感謝の日).
          expect(f.detail.replace(/ holiday=\S+$/, '')).not.toMatch(/[^\x21-\x7e ]/);
          keys.add(findingKey(f));
        }
        expect(keys.size).toBe(findings.length);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { ReportRequest } from '../../domain/report/report.ts';
import { residentCode } from '../../storage/contract-fixtures.ts';
import { BodyReader } from './BodyReader.ts';
import { readReportRequest } from './report-fields.ts';

const base: ReportRequest = {
  id: '00000000-0000-4000-8000-000000000001',
  origin: 'cs:131016',
  target: 'national:jlis',
  subject: '分析要求',
  body: '分析を求めます。',
  operator: 'op-1',
  requestedAt: '2026-11-24T01:00:00.000Z',
};
const read = (body: Record<string, unknown>) =>
  readReportRequest(new BodyReader('report-request', body));

/** The optional fields of an analysis request (R16) on the wire, beside a plain report request. */
describe('report-request: analysis fields (R16)', () => {
  it('reads a report request without them as before (older nodes send none)', () => {
    expect(read({ ...base })).toEqual(base);
    expect(read({ ...base, kind: null, analysis: null })).toEqual(base);
  });

  it('reads the kind, the resident code and the period', () => {
    const analysis = { residentCode: residentCode(7), from: '2026-01-01', to: '2026-11-30' };
    expect(read({ ...base, kind: 'analysis', analysis })).toEqual({
      ...base,
      kind: 'analysis',
      analysis,
    });
  });

  it('refuses an unknown kind, a resident code that is not 11 digits and a period that is not a date', () => {
    expect(() => read({ ...base, kind: 'gossip' })).toThrow(/kind/);
    expect(() => read({ ...base, kind: 'analysis', analysis: { residentCode: '12345' } })).toThrow(
      /analysis\.residentCode/,
    );
    expect(() =>
      read({
        ...base,
        kind: 'analysis',
        analysis: { residentCode: residentCode(7), from: '2026/01/01' },
      }),
    ).toThrow(/analysis\.from/);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportRequest } from '../domain/report/report.ts';
import { residentCode } from './contract-fixtures.ts';
import { contractRequest } from './contract-report.ts';
import { openReportStore } from './open-store.ts';
import type { ReportStore } from './ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

/** 分析要求 (R16) in the report store, migration 13: the question is kept with the request. */
function describeAnalysisStorage(open: () => Promise<ReportStore>): void {
  const analysisRequest = (n: number, over: Partial<ReportRequest> = {}): ReportRequest =>
    contractRequest(n, {
      target: 'national:jlis',
      kind: 'analysis',
      analysis: { residentCode: residentCode(7), from: '2026-01-01', to: '2026-11-30' },
      ...over,
    });
  const origin = (r: ReportRequest) => ({
    at: r.requestedAt,
    via: 'origin' as const,
    from: undefined,
  });

  it('R16: an analysis request reads back with its kind and question, also from the queue; a report request without', async () => {
    const store = await open();
    try {
      const a = analysisRequest(1);
      const plain = contractRequest(2);
      await store.recordRequest(a, origin(a), { peer: 'prefecture:13', via: 'push' });
      await store.recordRequest(plain, origin(plain), undefined);
      expect((await store.report(a.id))?.request).toEqual(a);
      const back = (await store.report(plain.id))!.request;
      expect(back).toEqual(plain);
      expect(back.kind).toBeUndefined();
      const [queued] = await store.queued('prefecture:13', 'push', 10);
      expect(queued?.request).toEqual(a);
      expect((await store.listReports(10)).map((r) => r.request.kind)).toEqual([
        undefined,
        'analysis',
      ]);
    } finally {
      await store.close();
    }
  });

  it('R16: the same id with another question is refused (report.id-reused); a malformed question is refused with its reason', async () => {
    const store = await open();
    try {
      const a = analysisRequest(3);
      await store.recordRequest(a, origin(a), undefined);
      expect(await store.recordRequest(a, origin(a), undefined)).toBe('duplicate');
      await expect(
        store.recordRequest(
          { ...a, analysis: { residentCode: residentCode(8) } },
          origin(a),
          undefined,
        ),
      ).rejects.toMatchObject({ reason: 'report.id-reused' });
      const bad = analysisRequest(4, { analysis: { residentCode: '12345678901' } });
      await expect(store.recordRequest(bad, origin(bad), undefined)).rejects.toMatchObject({
        reason: 'analysis.resident-code',
      });
      const noQuestion = analysisRequest(5, { analysis: undefined });
      await expect(
        store.recordRequest(noQuestion, origin(noQuestion), undefined),
      ).rejects.toMatchObject({ reason: 'analysis.resident-code' });
    } finally {
      await store.close();
    }
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeAnalysisStorage(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-analysis-store-'));
    dirs.push(dir);
    return openReportStore(`sqlite:${join(dir, 'node.sqlite')}`);
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_analysis_requests')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;

describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeAnalysisStorage(() => openReportStore(database!.url, { schema: `analysis${++schemas}` }));
});

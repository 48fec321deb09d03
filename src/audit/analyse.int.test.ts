import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../domain/audit/access-log.ts';
import { thresholdsFrom } from '../domain/audit/analysis.ts';
import type { NewDisclosure, NewRefusalRecord } from '../domain/provision/disclosure.ts';
import { openAnalysisStore, type AnalysisStore } from '../storage/analysis-store.ts';
import { residentCode } from '../storage/contract-fixtures.ts';
import { openAccessLogStore, openAlertStore, openProvisionStore } from '../storage/open-store.ts';
import type { AccessLogStore, AlertStore, ProvisionStore } from '../storage/ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from '../storage/postgres/test-database.ts';
import { analyseAccessLog } from './analyse.ts';
import { AccessLog } from './access-log.ts';

type Stores = {
  accessLog: AccessLogStore;
  analysis: AnalysisStore;
  alerts: AlertStore;
  provision: ProvisionStore;
};

const openAll = async (url: string, schema?: string): Promise<Stores> => {
  const o = schema === undefined ? {} : { schema };
  return {
    accessLog: await openAccessLogStore(url, o),
    analysis: await openAnalysisStore(url, o),
    alerts: await openAlertStore(url, o),
    provision: await openProvisionStore(url, o),
  };
};
const closeAll = async (s: Stores): Promise<void> => {
  for (const x of [s.accessLog, s.analysis, s.alerts, s.provision]) await x.close();
};

// Tuesday 2026-11-24, 10:00 JST.
const T0 = Date.parse('2026-11-24T01:00:00.000Z');
const entry = (i: number, over: Partial<AccessEntry> = {}): AccessEntry => ({
  at: new Date(T0 + i * 1000).toISOString(),
  node: 'prefecture:13',
  operator: 'clerk-1',
  operation: 'provision.query',
  target: '',
  purpose: '山田太郎さんの件 (a purpose text that must never reach a finding)',
  result: 'ok',
  ...over,
});
const suspendedRefusal = (i: number): NewRefusalRecord => ({
  at: new Date(T0 + i * 60_000).toISOString(),
  node: 'prefecture:13',
  recipientId: 'agency-7',
  searcher: 'S-001',
  queryId: `r-${i}`,
  channel: 'immediate',
  code: 'forbidden',
  reason: 'provision.recipient-suspended',
  message: '提供は停止中です (provision suspended)',
});
const disclosure = (i: number): NewDisclosure => ({
  at: new Date(T0 + i * 1000).toISOString(),
  node: 'prefecture:13',
  recipientId: 'agency-7',
  recipientName: '日本年金機構',
  searcher: 'S-002',
  affairId: '別表第一:七十七',
  legalBasis: '住民基本台帳法第三十条の九',
  queryId: `q-${i}`,
  residentCode: residentCode(1000 + i),
  channel: 'immediate',
});

// Small thresholds keep the crafted logs small; the rules are the same.
const thresholds = thresholdsFrom({
  'volume.operator': 20,
  'refused.burst': 5,
  'repeat.same-person': 3,
  'suspended.recipient': 2,
  'agency.searcher-volume': 10,
});
const AT = '2026-11-24T12:00:00.000Z';

function describeAnalysis(name: string, open: () => Promise<Stores>): void {
  describe(name, () => {
    it('R16: findings become audit-finding alerts once; a later run reads only what came after', async () => {
      const s = await open();
      try {
        const log = new AccessLog(s.accessLog);
        const code = residentCode(42);
        await log.append([
          ...Array.from({ length: 21 }, (_, i) => entry(i)), // volume.operator: 21 > 20
          ...Array.from({ length: 4 }, (_, i) => entry(100 + i, { target: code })), // repeat: 4 > 3
          ...Array.from({ length: 6 }, (_, i) =>
            entry(200 + i, {
              operator: 'aud-2',
              result: 'refused',
              reason: 'operator.not-permitted',
            }),
          ), // refused.burst: 6 > 5
          ...Array.from({ length: 50 }, (_, i) => entry(300 + i, { operator: 'system' })),
        ]);
        for (let i = 0; i < 3; i++) await s.provision.recordRefusal(suspendedRefusal(i));
        await s.provision.recordDisclosures(Array.from({ length: 11 }, (_, i) => disclosure(i)));
        const deps = { ...s, observer: 'prefecture:13' };

        const first = await analyseAccessLog(deps, { thresholds, pageSize: 7, now: () => AT });
        const rules = first.fresh.map((f) => `${f.rule} ${f.subjectKind}=${f.subject}`).sort();
        expect(rules).toEqual([
          'agency.searcher-volume searcher=agency-7/S-002',
          'refused.burst operator=aud-2',
          'repeat.same-person operator=clerk-1',
          'suspended.recipient recipient=agency-7',
          'volume.operator operator=clerk-1',
        ]);
        expect(first.alerts.map((a) => a.kind)).toEqual(Array(5).fill('audit-finding'));
        expect(first.alerts.every((a) => a.observer === 'prefecture:13')).toBe(true);
        const detail = first.alerts.map((a) => a.detail).join('\n');
        expect(detail).toContain(`repeat.same-person operator=clerk-1 target=${code} count=4`);
        expect(detail).toContain('suspended.recipient recipient=agency-7 count=3 threshold=2');
        expect(detail).not.toMatch(/山田|年金|停止中|purpose/);
        expect(first.run).toMatchObject({
          records: 81 + 3 + 11,
          findings: 5,
          newFindings: 5,
          rules: thresholds,
        });
        expect(first.run.ranges['access-log']).toMatchObject({ afterId: 0, toId: 81, records: 81 });
        const alertsAfterFirst = await s.alerts.listAlerts({ limit: 100 });
        expect(alertsAfterFirst).toHaveLength(5);

        // The same records again: re-read (the day is still open) but nothing new.
        const second = await analyseAccessLog(deps, { thresholds, now: () => AT });
        expect(second.fresh).toEqual([]);
        expect(second.run.newFindings).toBe(0);
        expect(await s.alerts.listAlerts({ limit: 100 })).toHaveLength(5);

        // The next day (Wednesday): only the new records are read; one new finding.
        const wed = T0 + 24 * 3_600_000;
        await log.append(
          Array.from({ length: 21 }, (_, i) =>
            entry(0, { at: new Date(wed + i * 1000).toISOString(), operator: 'clerk-3' }),
          ),
        );
        const third = await analyseAccessLog(deps, { thresholds, now: () => AT });
        expect(third.fresh.map((f) => `${f.rule} ${f.subject} ${f.from}`)).toEqual([
          'volume.operator clerk-3 2026-11-25T01:00:00.000Z',
        ]);
        expect(third.run.ranges['access-log']).toMatchObject({ toId: 102 });
        // The third run re-read Tuesday (the day where the last run stopped); Tuesday is now
        // behind: the fourth reads Wednesday only.
        const fourth = await analyseAccessLog(deps, { thresholds, now: () => AT });
        expect(fourth.run.ranges['access-log']).toMatchObject({
          afterId: 81,
          toId: 102,
          records: 21,
        });
        expect(fourth.run.ranges.refusals.records).toBe(3);
        expect(fourth.fresh).toEqual([]);
        expect(await s.alerts.listAlerts({ limit: 100 })).toHaveLength(6);
        expect((await s.analysis.listRuns(10)).map((r) => r.newFindings)).toEqual([0, 1, 0, 5]);
      } finally {
        await closeAll(s);
      }
    });

    it('R16: nothing over a threshold raises nothing; an empty log is a run of no records', async () => {
      const s = await open();
      try {
        const empty = await analyseAccessLog({ ...s, observer: 'national:jlis' }, { thresholds });
        expect(empty.run).toMatchObject({ records: 0, findings: 0, newFindings: 0 });
        await new AccessLog(s.accessLog).append(Array.from({ length: 20 }, (_, i) => entry(i)));
        const quiet = await analyseAccessLog({ ...s, observer: 'national:jlis' }, { thresholds });
        expect(quiet.run).toMatchObject({ records: 20, findings: 0 });
        expect(await s.alerts.listAlerts({ limit: 10 })).toEqual([]);
      } finally {
        await closeAll(s);
      }
    });

    it('R16: a finding and its alert are one transaction: a failure between them leaves neither, and the next run raises both', async () => {
      const s = await open();
      try {
        await new AccessLog(s.accessLog).append(Array.from({ length: 21 }, (_, i) => entry(i)));
        // The store as it is, except that writing the alert fails inside recordRun's transaction.
        const failing: AnalysisStore = {
          cursors: () => s.analysis.cursors(),
          refusalsAfter: (after, limit) => s.analysis.refusalsAfter(after, limit),
          disclosuresAfter: (after, limit) => s.analysis.disclosuresAfter(after, limit),
          recordRun: (run, findings, cursors) =>
            s.analysis.recordRun(run, findings, cursors, () => {
              throw new Error('crash between the finding and its alert');
            }),
          listRuns: (limit) => s.analysis.listRuns(limit),
          close: () => s.analysis.close(),
        };
        const deps = { accessLog: s.accessLog, observer: 'prefecture:13' };
        await expect(
          analyseAccessLog({ ...deps, analysis: failing }, { thresholds, now: () => AT }),
        ).rejects.toThrow(/crash/);
        expect(await s.analysis.listRuns(10)).toEqual([]);
        expect(await s.analysis.cursors()).toMatchObject({
          'access-log': { cursor: 0, rewind: 0 },
        });
        expect(await s.alerts.listAlerts({ limit: 10 })).toEqual([]);

        const again = await analyseAccessLog(
          { ...deps, analysis: s.analysis },
          { thresholds, now: () => AT },
        );
        expect(again.fresh.map((f) => f.rule)).toEqual(['volume.operator']);
        const alerts = await s.alerts.listAlerts({ limit: 10 });
        expect(alerts.map((a) => a.detail)).toEqual([again.fresh[0]!.detail]);
        expect(alerts).toEqual(again.alerts);
      } finally {
        await closeAll(s);
      }
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeAnalysis('access-log analysis on SQLite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-analysis-'));
    dirs.push(dir);
    return openAll(`sqlite:${join(dir, 'node.sqlite')}`);
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_analysis')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeAnalysis('access-log analysis on PostgreSQL', () =>
    openAll(database!.url, `analysis${++schemas}`),
  );
});

import type { AccessRecord } from '../domain/audit/access-log.ts';
import {
  DEFAULT_THRESHOLDS,
  Tally,
  windowStart,
  type ActInput,
  type Finding,
  type OfficeHours,
  type Thresholds,
} from '../domain/audit/analysis.ts';
import type { SecurityAlert } from '../domain/network/SecurityAlert.ts';
import type {
  AnalysisCursor,
  AnalysisCursors,
  AnalysisRun,
  AnalysisSource,
  AnalysisStore,
  SourceRange,
} from '../storage/analysis-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';

/**
 * The periodic access-log analysis of a node (R16; docs/AUDIT.md "Analysis (R16)"): streams the
 * access log, the provision refusals and the disclosures page by page since the last run, runs
 * the rules of domain/audit/analysis.ts, and records the run, its findings and a security alert of
 * kind `audit-finding` for each finding not raised before, all in one transaction of the node's
 * store (AnalysisStore.recordRun): a crash never leaves a finding without its alert.
 *
 * Where it stops: per source, the last id read. A rule counting per JST day needs the whole day,
 * so each run re-reads from the start of the day of the last record it read (`rewind`); a finding
 * of the same rule, subject and window is stored and alerted once, however often it is seen.
 */

/** The access-log record as the rules see it: no purpose, no reason text beyond the result. */
export const actOf = (r: AccessRecord): ActInput => ({
  seq: r.seq,
  at: r.at,
  operator: r.operator,
  operation: r.operation,
  target: r.target,
  result: r.result,
});

/** Where an analysis finding is raised as an alert: it comes from no peer. */
export const ANALYSIS_ALERT_ADDRESS = 'access-log';

export const DEFAULT_ANALYSIS_PAGE = 1000;

export type AnalyseDeps = {
  readonly accessLog: AccessLogStore;
  readonly analysis: AnalysisStore;
  /** The node that analyses, e.g. `prefecture:13` (the alerts' observer). */
  readonly observer: string;
};

export type AnalyseOptions = {
  readonly thresholds?: Thresholds;
  /** Of rule `off-hours` (default 08:00–20:00 JST). */
  readonly officeHours?: OfficeHours;
  /** Of rule `off-hours`: a public holiday is off-hours all day (default true). */
  readonly holidays?: boolean;
  /** Records per page read (memory is bounded by it and by a day of counts). */
  readonly pageSize?: number;
  readonly now?: () => string;
};

export type AnalysisResult = {
  readonly run: AnalysisRun;
  /** Every finding over its threshold in what was read (seen before or not). */
  readonly findings: readonly Finding[];
  /** The findings new in this run: each raised as an alert. */
  readonly fresh: readonly Finding[];
  readonly alerts: readonly SecurityAlert[];
};

type Item = { readonly id: number; readonly at: string };

type Stream = {
  readonly range: SourceRange;
  readonly cursor: AnalysisCursor;
};

/**
 * Reads one source in pages after its rewind point, feeding `add`; flushes the windows that
 * ended as the stream moves on. Returns what it read and the cursor to keep.
 */
async function streamSource<T extends Item>(
  previous: AnalysisCursor,
  page: (afterId: number, limit: number) => Promise<T[]>,
  add: (item: T) => void,
  flush: (before: number) => void,
  pageSize: number,
): Promise<Stream> {
  let after = previous.rewind;
  let rewind = previous.rewind;
  let dayStart = -Infinity;
  let records = 0;
  let from: string | undefined;
  let to: string | undefined;
  for (;;) {
    const items = await page(after, pageSize);
    for (const item of items) {
      const day = windowStart(item.at, 'day');
      if (day > dayStart) {
        dayStart = day;
        rewind = after;
        flush(windowStart(item.at, 'hour'));
      }
      add(item);
      after = item.id;
      records++;
      from ??= item.at;
      to = item.at;
    }
    if (items.length < pageSize) break;
    const last = items.at(-1);
    if (last !== undefined) flush(windowStart(last.at, 'hour'));
  }
  return {
    range: { afterId: previous.rewind, toId: after, records, from, to },
    cursor:
      records === 0
        ? previous
        : { cursor: Math.max(after, previous.cursor), rewind: Math.max(rewind, previous.rewind) },
  };
}

/** One analysis run over what is new since the last one (see above). */
export async function analyseAccessLog(
  deps: AnalyseDeps,
  options: AnalyseOptions = {},
): Promise<AnalysisResult> {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const pageSize = options.pageSize ?? DEFAULT_ANALYSIS_PAGE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');
  const now = options.now ?? (() => new Date().toISOString());
  const previous = await deps.analysis.cursors();
  const findings: Finding[] = [];
  const tally = new Tally(options.officeHours, options.holidays);
  const flush = (before?: number): void => {
    findings.push(...tally.takeClosed(thresholds, before));
  };

  const acts = await streamSource(
    previous['access-log'],
    async (after, limit) =>
      (await deps.accessLog.page(after, limit)).map((r) => ({ ...actOf(r), id: r.seq })),
    (a) => tally.addAct(a),
    flush,
    pageSize,
  );
  flush();
  const refusals = await streamSource(
    previous.refusals,
    (after, limit) => deps.analysis.refusalsAfter(after, limit),
    (r) => tally.addRefusal(r),
    flush,
    pageSize,
  );
  flush();
  const disclosures = await streamSource(
    previous.disclosures,
    (after, limit) => deps.analysis.disclosuresAfter(after, limit),
    (d) => tally.addDisclosure(d),
    flush,
    pageSize,
  );
  flush();

  const runAt = now();
  const streams: Record<AnalysisSource, Stream> = {
    'access-log': acts,
    refusals,
    disclosures,
  };
  const cursors: AnalysisCursors = {
    'access-log': acts.cursor,
    refusals: refusals.cursor,
    disclosures: disclosures.cursor,
  };
  const { run, fresh, alerts } = await deps.analysis.recordRun(
    {
      at: runAt,
      rules: thresholds,
      ranges: {
        'access-log': streams['access-log'].range,
        refusals: streams.refusals.range,
        disclosures: streams.disclosures.range,
      },
      records: acts.range.records + refusals.range.records + disclosures.range.records,
      findings: findings.length,
    },
    findings,
    cursors,
    (f) => ({
      at: runAt,
      observer: deps.observer,
      kind: 'audit-finding',
      peerAddress: ANALYSIS_ALERT_ADDRESS,
      peerName: undefined,
      detail: f.detail,
    }),
  );
  return { run, findings, fresh, alerts };
}

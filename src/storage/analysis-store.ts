import type {
  DisclosureInput,
  Finding,
  RefusalInput,
  RuleId,
  SubjectKind,
} from '../domain/audit/analysis.ts';
import type { NewSecurityAlert, SecurityAlert } from '../domain/network/SecurityAlert.ts';
import { PostgresAnalysisStore } from './postgres/postgres-analysis-store.ts';
import { SqliteAnalysisStore } from './sqlite/sqlite-analysis-store.ts';
import { parseStoreUrl } from './store-url.ts';

/**
 * What the access-log analysis keeps (R16; docs/AUDIT.md "Analysis (R16)"): where it stopped in
 * each source, its runs, and its findings (identifiers and counts only). Migration 0012.
 */

export const ANALYSIS_SOURCES = ['access-log', 'refusals', 'disclosures'] as const;
export type AnalysisSource = (typeof ANALYSIS_SOURCES)[number];

/** `cursor`: the last id analysed; `rewind`: the next run re-reads from after this id. */
export type AnalysisCursor = { readonly cursor: number; readonly rewind: number };
export type AnalysisCursors = Readonly<Record<AnalysisSource, AnalysisCursor>>;

export const NO_CURSORS: AnalysisCursors = {
  'access-log': { cursor: 0, rewind: 0 },
  refusals: { cursor: 0, rewind: 0 },
  disclosures: { cursor: 0, rewind: 0 },
};

/** What a run read from a source: ids after `afterId` up to `toId`, their times `from`–`to`. */
export type SourceRange = {
  readonly afterId: number;
  readonly toId: number;
  readonly records: number;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
};

export type NewAnalysisRun = {
  readonly at: string;
  /** The rules run, with their thresholds. */
  readonly rules: Readonly<Record<RuleId, number>>;
  readonly ranges: Readonly<Record<AnalysisSource, SourceRange>>;
  /** Records read (all sources). */
  readonly records: number;
  /** Findings over the threshold, new or seen before. */
  readonly findings: number;
};

export type AnalysisRun = NewAnalysisRun & { readonly id: number; readonly newFindings: number };

export interface AnalysisStore {
  cursors(): Promise<AnalysisCursors>;
  /** Provision refusals with id > afterId, ascending, at most `limit` (no message). */
  refusalsAfter(afterId: number, limit: number): Promise<RefusalInput[]>;
  /** Disclosures with id > afterId, ascending, at most `limit` (no recipient name). */
  disclosuresAfter(afterId: number, limit: number): Promise<DisclosureInput[]>;
  /**
   * In one transaction: the run, the findings not stored before (by findingKey), a security alert
   * (`alertOf`) for each of those in the node's `security_alert` table (same database), and the
   * cursors (never moved backwards). A crash leaves all of it or none: never a finding without its
   * alert. Returns the run, the findings that were new and their alerts.
   */
  recordRun(
    run: NewAnalysisRun,
    findings: readonly Finding[],
    cursors: AnalysisCursors,
    alertOf: (finding: Finding) => NewSecurityAlert,
  ): Promise<{ run: AnalysisRun; fresh: Finding[]; alerts: SecurityAlert[] }>;
  /** Newest first. */
  listRuns(limit: number): Promise<AnalysisRun[]>;
  close(): Promise<void>;
}

/** Opens (and migrates) the analysis tables of the node whose store is `url`. */
export async function openAnalysisStore(
  url: string,
  options: { readonly schema?: string } = {},
): Promise<AnalysisStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteAnalysisStore.open(location.path);
    case 'postgres':
      return PostgresAnalysisStore.open(location.connectionString, options);
  }
}

export type RunRow = {
  id: number | string;
  at: string;
  rules: string;
  ranges: string;
  records: number | string;
  findings: number | string;
  new_findings: number | string;
};

export const RUN_COLUMNS = 'id, at, rules, ranges, records, findings, new_findings';

export const runFromRow = (r: RunRow): AnalysisRun => ({
  id: Number(r.id),
  at: r.at,
  rules: JSON.parse(r.rules) as Record<RuleId, number>,
  ranges: JSON.parse(r.ranges) as Record<AnalysisSource, SourceRange>,
  records: Number(r.records),
  findings: Number(r.findings),
  newFindings: Number(r.new_findings),
});

export type RefusalInputRow = {
  id: number | string;
  at: string | Date;
  recipient_id: string;
  reason: string;
};
const iso = (at: string | Date): string => (at instanceof Date ? at.toISOString() : at);
export const REFUSAL_SQL = 'SELECT id, at, recipient_id, reason FROM provision_refusal';
export const refusalInputFromRow = (r: RefusalInputRow): RefusalInput => ({
  id: Number(r.id),
  at: iso(r.at),
  recipientId: r.recipient_id,
  reason: r.reason,
});

export type DisclosureInputRow = {
  id: number | string;
  at: string | Date;
  recipient_id: string;
  searcher: string | null;
  resident_code: string;
};
export const DISCLOSURE_SQL =
  'SELECT id, at, recipient_id, searcher, resident_code FROM disclosure';
export const disclosureInputFromRow = (r: DisclosureInputRow): DisclosureInput => ({
  id: Number(r.id),
  at: iso(r.at),
  recipientId: r.recipient_id,
  searcher: r.searcher ?? undefined,
  residentCode: r.resident_code,
});

/** Raising a finding's alert inside recordRun's transaction (the columns of alert-row.ts). */
export const ALERT_INSERT_SQL =
  'INSERT INTO security_alert (at, observer, kind, peer_address, peer_name, detail)';
export const ALERT_RETURNING = 'RETURNING id, at, observer, kind, peer_address, peer_name, detail';
export const alertValues = (a: NewSecurityAlert): (string | null)[] => [
  a.at,
  a.observer,
  a.kind,
  a.peerAddress,
  a.peerName ?? null,
  a.detail,
];

/** The columns of a finding row, in the order of findingValues. */
export const FINDING_COLUMNS =
  'run_id, finding_key, rule, subject_kind, subject, target, window_from, window_to, count, threshold, detail';

export const findingValues = (
  runId: number,
  key: string,
  f: Finding,
): (string | number | null)[] => [
  runId,
  key,
  f.rule,
  f.subjectKind satisfies SubjectKind,
  f.subject,
  f.target ?? null,
  f.from,
  f.to,
  f.count,
  f.threshold,
  f.detail,
];

import { SYSTEM_OPERATOR, type AccessRecord } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import type { Disclosure } from '../domain/provision/disclosure.ts';
import {
  REPORT_LIMITS,
  type AnalysisScope,
  type ReportProblem,
  type ReportRequest,
} from '../domain/report/report.ts';
import { isResidentCode, type ResidentCode } from '../domain/resident/ResidentCode.ts';
import {
  openAccessLogStore,
  openProvisionStore,
  type OpenStoreOptions,
} from '../storage/open-store.ts';
import type { AccessLogStore, IdentityStore, ProvisionStore } from '../storage/ports.ts';
import { todayInJapan } from './japan-date.ts';
import type { NodeConfig } from './node-config.ts';

/**
 * 分析要求 (R16; docs/REPORTS.md "Analysis requests"): what a node needs to take part.
 * - a CS checks that the resident it asks about is its own (`checkOwnResident`);
 * - a prefecture or the national server answers an analysis request on arrival (`answerBody`):
 *   from its access log and its disclosure records, who accessed or received the resident's data,
 *   when, with which operation or affair and result — identifiers only.
 */
export type AnalysisSource = {
  checkOwnResident(residentCode: string): Promise<void>;
  /**
   * At a prefecture or the national server, a CS's request on its way: refused when this node's
   * store shows the resident in another municipality (the CS's own check, again, R16).
   */
  arrivalProblem(request: ReportRequest): Promise<ReportProblem | undefined>;
  answerBody(request: ReportRequest): Promise<string>;
  close(): Promise<void>;
};

/** The operator an automatic answer names (the node answered, not a person). */
export const ANALYSIS_OPERATOR = SYSTEM_OPERATOR;

/** Access-log records read per page while looking for the resident (the log is scanned). */
const PAGE = 1000;

export async function openAnalysisSource(options: {
  readonly config: NodeConfig;
  readonly storeOptions: Pick<OpenStoreOptions, 'schema'>;
  readonly identities: IdentityStore | undefined;
}): Promise<AnalysisSource> {
  const { config, identities } = options;
  const self = config.node;
  const answers = self.role === 'prefecture' || self.role === 'national';
  const accessLog: AccessLogStore | undefined = answers
    ? await openAccessLogStore(config.store, options.storeOptions)
    : undefined;
  const provision: ProvisionStore | undefined = answers
    ? await openProvisionStore(config.store, options.storeOptions)
    : undefined;

  async function checkOwnResident(residentCode: string): Promise<void> {
    if (self.role !== 'cs') return;
    const record =
      isResidentCode(residentCode) && identities
        ? await identities.findIdentity(residentCode)
        : undefined;
    if (record?.localGovernmentCode !== self.code || record.status !== 'resident')
      throw new RegistryError(
        'forbidden',
        `住民票コード ${residentCode} は ${self.code} の住民ではありません / ${residentCode} is not a current resident of ${self.code}: a municipality asks only about its own residents (R16)`,
        'analysis.not-our-resident',
      );
  }

  async function arrivalProblem(request: ReportRequest): Promise<ReportProblem | undefined> {
    const code = request.analysis?.residentCode;
    if (!request.origin.startsWith('cs:') || !code || !isResidentCode(code) || !identities)
      return undefined;
    const municipality = request.origin.slice(3);
    const record = await identities.findIdentity(code);
    if (record === undefined || record.localGovernmentCode === municipality) return undefined;
    return {
      code: 'forbidden',
      reason: 'analysis.not-our-resident',
      message: `住民票コード ${code} は ${municipality} の住民ではありません / ${request.origin} asks about a resident of another municipality (R16)`,
    };
  }

  async function answerBody(request: ReportRequest): Promise<string> {
    const scope = request.analysis!;
    const within = inPeriod(scope);
    const acts: AccessRecord[] = [];
    for (let after = 0; accessLog;) {
      const page = await accessLog.page(after, PAGE);
      for (const r of page) if (r.target === scope.residentCode && within(r.at)) acts.push(r);
      if (page.length < PAGE) break;
      after = page.at(-1)!.seq;
    }
    const received = provision
      ? (await provision.disclosuresOf(scope.residentCode as ResidentCode)).filter((d) =>
          within(d.at),
        )
      : [];
    return analysisAnswerText(`${self.role}:${self.code}`, scope, acts, received);
  }

  return {
    checkOwnResident,
    arrivalProblem,
    answerBody,
    async close() {
      await accessLog?.close();
      await provision?.close();
    },
  };
}

/** Whether an instant falls within the scope's dates (Japan's calendar, both ends included). */
const inPeriod =
  (scope: AnalysisScope) =>
  (at: string): boolean => {
    const day: string = todayInJapan(new Date(at));
    return (
      (scope.from === undefined || day >= scope.from) && (scope.to === undefined || day <= scope.to)
    );
  };

/**
 * The answer's body: one line per access and per provision, oldest first, identifiers only
 * (operator ids, recipient ids, affair ids, result and reason codes) — never a name or address.
 * Cut at the report body's bound with the count of lines left out.
 */
export function analysisAnswerText(
  node: string,
  scope: AnalysisScope,
  acts: readonly AccessRecord[],
  received: readonly Disclosure[],
): string {
  const period =
    scope.from || scope.to ? ` 期間 / period ${scope.from ?? '…'} – ${scope.to ?? '…'}` : '';
  const head = [
    `分析結果 / analysis: ${node} 住民票コード ${scope.residentCode}${period}`,
    `アクセスログ / access log: ${acts.length} 件; 提供 / provided: ${received.length} 件`,
  ];
  const lines = [
    ...acts.map(
      (r) =>
        `access ${r.at} operator=${r.operator} operation=${r.operation} result=${r.result}${r.purpose ? ` purpose=${r.purpose}` : ''}${r.reason ? ` reason=${r.reason}` : ''}`,
    ),
    ...received.map(
      (d) =>
        `provided ${d.at} recipient=${d.recipientId}${d.searcher ? ` searcher=${d.searcher}` : ''} affair=${d.affairId} channel=${d.channel} query=${d.queryId}`,
    ),
  ].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!));
  const out = [...head];
  let used = out.join('\n').length;
  for (let i = 0; i < lines.length; i++) {
    const more = `… ほか ${lines.length - i} 件 / ${lines.length - i} more`;
    if (used + 1 + lines[i]!.length + 1 + more.length > REPORT_LIMITS.body) {
      out.push(more);
      break;
    }
    out.push(lines[i]!);
    used += 1 + lines[i]!.length;
  }
  if (lines.length === 0) out.push('該当なし / none');
  return out.join('\n');
}

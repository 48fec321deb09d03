import { isCalendarDate } from '../dates/CalendarDate.ts';
import { RegistryError, type ErrorCode } from '../errors.ts';
import { localGovernmentCodeProblem } from '../local-government/LocalGovernmentCode.ts';
import type { NodeRef } from '../network/NodeRef.ts';
import { isResidentCode } from '../resident/ResidentCode.ts';

/**
 * 報告要求 (R5, R6): a node demands a report from another node. The national server may demand
 * reports from an agency (R5); a municipality from its prefecture, from the national server via
 * the prefecture, or from an agency via both; a prefecture from the national server, or from an
 * agency via it (R6). The request travels along the network's path to its target and the answer
 * comes back the same way (docs/REPORTS.md); every node on the way records each step.
 */
export type ReportRequest = {
  /** A UUID made at the origin: the request's identity at every node (idempotency). */
  readonly id: string;
  /** The node that demands the report (`cs:131016`, `prefecture:13`, `national:jlis`). */
  readonly origin: string;
  /** The node the report is demanded from (`prefecture:13`, `national:jlis`, `agency:…`). */
  readonly target: string;
  readonly subject: string;
  readonly body: string;
  /**
   * Who asked at the origin: the logged-in operator's id, or the name typed at the console of a
   * node without a web terminal (src/nodes/acting-operator.ts).
   */
  readonly operator: string;
  /** When the origin made it (ISO 8601, UTC). */
  readonly requestedAt: string;
  /** `analysis` (R16): analyse the target's access log about one resident. Absent: a report. */
  readonly kind?: ReportKind | undefined;
  /** What an analysis request asks about; present exactly when `kind` is `analysis`. */
  readonly analysis?: AnalysisScope | undefined;
};

export type ReportKind = 'report' | 'analysis';

/**
 * An analysis request's question (R16): who accessed or received the data of one resident at the
 * target, optionally within a period of dates (Japan, `YYYY-MM-DD`, both ends included).
 */
export type AnalysisScope = {
  readonly residentCode: string;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
};

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Why this is not an analysis request's kind, scope and target, or undefined (shape only). */
export function analysisProblem(r: {
  readonly kind?: ReportKind | undefined;
  readonly analysis?: AnalysisScope | undefined;
  readonly target: string;
}): ReportProblem | undefined {
  if (r.kind !== 'analysis')
    return r.analysis === undefined
      ? undefined
      : problem(
          'invalid',
          'analysis.kind',
          'analysis は分析要求だけに付けます / only an analysis request names a resident',
        );
  const a = r.analysis;
  if (a === undefined)
    return problem(
      'invalid',
      'analysis.resident-code',
      '分析要求には住民票コードが必要です / an analysis request names one resident code',
    );
  if (!isResidentCode(a.residentCode))
    return problem(
      'invalid',
      'analysis.resident-code',
      `住民票コードが不正です / ${JSON.stringify(a.residentCode)} is not a resident code (11 digits with a valid check digit)`,
    );
  for (const d of [a.from, a.to])
    if (d !== undefined && !(DATE_PATTERN.test(d) && isCalendarDate(d)))
      return problem(
        'invalid',
        'analysis.period',
        `期間が不正です / ${JSON.stringify(d)} is not a date (YYYY-MM-DD)`,
      );
  if (a.from !== undefined && a.to !== undefined && a.from > a.to)
    return problem(
      'invalid',
      'analysis.period',
      `期間の始めが終わりより後です / ${a.from} is after ${a.to}`,
    );
  const role = r.target.slice(0, r.target.indexOf(':'));
  if (role !== 'prefecture' && role !== 'national')
    return problem(
      'forbidden',
      'analysis.target',
      `分析要求の宛先は都道府県サーバか全国サーバです / an analysis request goes to a prefecture or the national server, not ${r.target} (R16)`,
    );
  return undefined;
}

/** The report: one answer per request, made at the target. */
export type ReportAnswer = {
  readonly requestId: string;
  /** The target node: only it answers. */
  readonly answeredBy: string;
  readonly body: string;
  readonly operator: string;
  readonly answeredAt: string;
};

/**
 * What a node records about a request, one event per kind at most (append-only):
 * - `requested`: made here (the origin), by the operator;
 * - `received`: arrived here from `peer` (the node before on the path);
 * - `forwarded`: passed on to `peer`: sent and acknowledged, or put in `peer`'s mailbox;
 * - `delivered`: `peer` fetched it from this node's mailbox;
 * - `refused`: the next node refused it (`detail`: code, reason, message);
 * - `answered`: answered here (the target), by the operator;
 * - `answer-received`, `answer-forwarded`, `answer-delivered`, `answer-refused`: the same for
 *   the answer on its way back.
 */
export const REPORT_EVENT_KINDS = [
  'requested',
  'received',
  'forwarded',
  'delivered',
  'refused',
  'answered',
  'answer-received',
  'answer-forwarded',
  'answer-delivered',
  'answer-refused',
] as const;
export type ReportEventKind = (typeof REPORT_EVENT_KINDS)[number];

export const isReportEventKind = (s: string): s is ReportEventKind =>
  (REPORT_EVENT_KINDS as readonly string[]).includes(s);

export type ReportEvent = {
  readonly kind: ReportEventKind;
  readonly at: string;
  /** The other node of this step (none for `requested` and `answered`). */
  readonly peer: string | undefined;
  /** The operator text: the requesting operator for request steps, the answering one for answer steps. */
  readonly operator: string;
  readonly detail: string | undefined;
};

/** How a request came to a node: made here, sent up by the node below, or fetched from above. */
export type ReportArrivalVia = 'origin' | 'request' | 'mail';

/** Everything one node knows about one request. */
export type ReportRecord = {
  readonly request: ReportRequest;
  readonly arrivedVia: ReportArrivalVia;
  readonly arrivedFrom: string | undefined;
  readonly answer: ReportAnswer | undefined;
  /** In the order recorded. */
  readonly events: readonly ReportEvent[];
};

/** Bounds of the free text (UTF-16 code units), the same on the wire, at the terminal and in stores. */
export const REPORT_LIMITS = { subject: 200, body: 4000, operator: 100, detail: 500 } as const;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `Date.prototype.toISOString()`'s form exactly, so that times compare as strings in both stores. */
export const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Body text: any characters but control characters other than tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const BODY_TEXT_PATTERN = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
/** One-line text: no control characters at all. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const LINE_TEXT_PATTERN = /^[^\u0000-\u001f\u007f-\u009f]*$/;

export type ReportProblem = {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly message: string;
};

export const reportError = (p: ReportProblem): RegistryError =>
  new RegistryError(p.code, p.message, p.reason);

const problem = (code: ErrorCode, reason: string, message: string): ReportProblem => ({
  code,
  reason,
  message,
});

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,54}[a-z0-9])$/;

/**
 * A node that takes part in reports, from its name (`cs:131016`, `prefecture:13`,
 * `national:jlis`, `agency:mhlw-pension`), or undefined (a switch, or not a node name).
 */
export function parseReportNode(name: string): NodeRef | undefined {
  const i = name.indexOf(':');
  if (i < 0) return undefined;
  const role = name.slice(0, i);
  const code = name.slice(i + 1);
  switch (role) {
    case 'cs':
      return localGovernmentCodeProblem(code) === undefined && code.slice(2, 5) !== '000'
        ? { role, code }
        : undefined;
    case 'prefecture': {
      const n = Number(code);
      return /^\d{2}$/.test(code) && n >= 1 && n <= 47 ? { role, code } : undefined;
    }
    case 'national':
      return code === 'jlis' ? { role, code } : undefined;
    case 'agency':
      return SLUG.test(code) ? { role, code } : undefined;
    default:
      return undefined;
  }
}

function textProblem(
  field: string,
  value: unknown,
  max: number,
  pattern: RegExp,
  allowEmpty = false,
): ReportProblem | undefined {
  if (typeof value !== 'string')
    return problem('invalid', `report.${field}`, `${field} は文字列です / ${field} must be text`);
  if (!allowEmpty && value.trim() === '')
    return problem('invalid', `report.${field}`, `${field} が空です / ${field} must not be empty`);
  if (value.length > max)
    return problem(
      'invalid',
      `report.${field}`,
      `${field} が長すぎます（${max} 文字まで）/ ${field} is longer than ${max} characters`,
    );
  if (!pattern.test(value))
    return problem(
      'invalid',
      `report.${field}`,
      `${field} に制御文字があります / ${field} contains control characters`,
    );
  return undefined;
}

/** Why these are not a request's subject, body and operator, or undefined. */
export function reportTextProblem(t: {
  readonly subject: unknown;
  readonly body: unknown;
  readonly operator: unknown;
}): ReportProblem | undefined {
  return (
    textProblem('subject', t.subject, REPORT_LIMITS.subject, LINE_TEXT_PATTERN) ??
    textProblem('body', t.body, REPORT_LIMITS.body, BODY_TEXT_PATTERN) ??
    textProblem('operator', t.operator, REPORT_LIMITS.operator, LINE_TEXT_PATTERN)
  );
}

/** Why `r` is not a well-formed request (shape only; who may ask whom is report-route.ts). */
export function reportRequestProblem(r: ReportRequest): ReportProblem | undefined {
  if (!UUID_PATTERN.test(r.id))
    return problem('invalid', 'report.id', `要求番号が UUID ではありません / id must be a UUID`);
  if (parseReportNode(r.origin) === undefined)
    return problem(
      'invalid',
      'report.origin',
      `要求元が不正です / origin ${r.origin} is not a node`,
    );
  if (parseReportNode(r.target) === undefined)
    return problem(
      'invalid',
      'report.target-malformed',
      `要求先が不正です / target ${r.target} is not a node that can be asked for a report (cs:…, prefecture:NN, national:jlis, agency:…)`,
    );
  if (!ISO_TIME_PATTERN.test(r.requestedAt))
    return problem(
      'invalid',
      'report.time',
      'requestedAt must be an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS.sssZ)',
    );
  return reportTextProblem(r) ?? analysisProblem(r);
}

/** Why `a` is not a well-formed answer, or undefined. */
export function reportAnswerProblem(a: ReportAnswer): ReportProblem | undefined {
  if (!UUID_PATTERN.test(a.requestId))
    return problem('invalid', 'report.id', `要求番号が UUID ではありません / id must be a UUID`);
  if (parseReportNode(a.answeredBy) === undefined)
    return problem('invalid', 'report.answered-by', `answeredBy ${a.answeredBy} is not a node`);
  if (!ISO_TIME_PATTERN.test(a.answeredAt))
    return problem('invalid', 'report.time', 'answeredAt must be an ISO 8601 UTC time');
  return (
    textProblem('body', a.body, REPORT_LIMITS.body, BODY_TEXT_PATTERN) ??
    textProblem('operator', a.operator, REPORT_LIMITS.operator, LINE_TEXT_PATTERN)
  );
}

/** Whether two requests with one id are the same request (a repeated message). */
export const sameRequest = (a: ReportRequest, b: ReportRequest): boolean =>
  a.id === b.id &&
  a.origin === b.origin &&
  a.target === b.target &&
  a.subject === b.subject &&
  a.body === b.body &&
  a.operator === b.operator &&
  a.requestedAt === b.requestedAt &&
  (a.kind ?? 'report') === (b.kind ?? 'report') &&
  a.analysis?.residentCode === b.analysis?.residentCode &&
  a.analysis?.from === b.analysis?.from &&
  a.analysis?.to === b.analysis?.to;

export const sameAnswer = (a: ReportAnswer, b: ReportAnswer): boolean =>
  a.requestId === b.requestId &&
  a.answeredBy === b.answeredBy &&
  a.body === b.body &&
  a.operator === b.operator &&
  a.answeredAt === b.answeredAt;

import { RegistryError } from '../domain/errors.ts';
import {
  isReportEventKind,
  reportAnswerProblem,
  reportError,
  reportRequestProblem,
  sameAnswer,
  sameRequest,
  type AnalysisScope,
  type ReportAnswer,
  type ReportArrivalVia,
  type ReportEvent,
  type ReportEventKind,
  type ReportRecord,
  type ReportRequest,
} from '../domain/report/report.ts';
import type { QueueOutcome } from './report-records.ts';

/** Rows of the 報告要求 tables (migration 7) in either dialect, and the checks both stores share. */

export const REQUEST_COLUMNS =
  'id, origin, target, subject, body, operator, requested_at, arrived_via, arrived_from, analysis';
export const ANSWER_COLUMNS = 'request_id, answered_by, body, operator, answered_at, arrived_from';
export const EVENT_COLUMNS = 'request_id, kind, at, peer, operator, detail';

export type RequestRow = {
  id: string;
  origin: string;
  target: string;
  subject: string;
  body: string;
  operator: string;
  requested_at: string | Date;
  arrived_via: string;
  arrived_from: string | null;
  /** Migration 13: an analysis request's question as JSON, NULL on a report request. */
  analysis: string | null;
};
export type AnswerRow = {
  request_id: string;
  answered_by: string;
  body: string;
  operator: string;
  answered_at: string | Date;
  arrived_from: string | null;
};
export type EventRow = {
  request_id: string;
  kind: string;
  at: string | Date;
  peer: string | null;
  operator: string;
  detail: string | null;
};
/** A queue row joined with its request and answer (answer columns prefixed `a_`, NULL when none). */
export type QueueRow = RequestRow & {
  peer: string;
  item: string;
  via: string;
  queued_at: string | Date;
  a_answered_by: string | null;
  a_body: string | null;
  a_operator: string | null;
  a_answered_at: string | Date | null;
};

const iso = (at: string | Date): string => (at instanceof Date ? at.toISOString() : at);

export const requestFromRow = (r: RequestRow): ReportRequest => ({
  id: r.id,
  origin: r.origin,
  target: r.target,
  subject: r.subject,
  body: r.body,
  operator: r.operator,
  requestedAt: iso(r.requested_at),
  ...(r.analysis === null
    ? {}
    : { kind: 'analysis' as const, analysis: JSON.parse(r.analysis) as AnalysisScope }),
});

/** The `analysis` column of a request (migration 13). */
export const analysisColumn = (r: ReportRequest): string | null =>
  r.kind === 'analysis' && r.analysis
    ? JSON.stringify({
        residentCode: r.analysis.residentCode,
        from: r.analysis.from,
        to: r.analysis.to,
      })
    : null;

export const answerFromRow = (r: AnswerRow): ReportAnswer => ({
  requestId: r.request_id,
  answeredBy: r.answered_by,
  body: r.body,
  operator: r.operator,
  answeredAt: iso(r.answered_at),
});

export function eventFromRow(r: EventRow): ReportEvent {
  if (!isReportEventKind(r.kind)) throw new Error(`report_event: unknown kind ${r.kind} in store`);
  return {
    kind: r.kind,
    at: iso(r.at),
    peer: r.peer ?? undefined,
    operator: r.operator,
    detail: r.detail ?? undefined,
  };
}

export function recordFromRows(
  r: RequestRow,
  answer: AnswerRow | undefined,
  events: readonly EventRow[],
): ReportRecord {
  return {
    request: requestFromRow(r),
    arrivedVia: r.arrived_via as ReportArrivalVia,
    arrivedFrom: r.arrived_from ?? undefined,
    answer: answer === undefined ? undefined : answerFromRow(answer),
    events: events.map(eventFromRow),
  };
}

export const queuedAnswer = (r: QueueRow): ReportAnswer => ({
  requestId: r.id,
  answeredBy: r.a_answered_by!,
  body: r.a_body!,
  operator: r.a_operator!,
  answeredAt: iso(r.a_answered_at!),
});

export function checkRequest(r: ReportRequest): void {
  const p = reportRequestProblem(r);
  if (p) throw reportError(p);
}

export function checkAnswer(a: ReportAnswer): void {
  const p = reportAnswerProblem(a);
  if (p) throw reportError(p);
}

/** The stored request with this id is another one: ids are never reused. */
export function checkSameRequest(stored: ReportRequest, r: ReportRequest): void {
  if (!sameRequest(stored, r))
    throw new RegistryError(
      'conflict',
      `要求番号 ${r.id} は別の報告要求に使われています / request id ${r.id} belongs to another request`,
      'report.id-reused',
    );
}

export function checkSameAnswer(stored: ReportAnswer, a: ReportAnswer): void {
  if (!sameAnswer(stored, a))
    throw new RegistryError(
      'conflict',
      `報告要求 ${a.requestId} には別の回答が記録されています / request ${a.requestId} has another answer already`,
      'report.answer-differs',
    );
}

export const unknownRequest = (id: string): RegistryError =>
  new RegistryError(
    'not-found',
    `報告要求 ${id} はこのノードにありません / no report request ${id} at this node`,
    'report.unknown-request',
  );

/** The event a queued item's leaving records. */
export function leavingEvent(
  item: 'request' | 'answer',
  via: string,
  outcome: QueueOutcome,
): ReportEventKind {
  const prefix = item === 'answer' ? 'answer-' : '';
  if (outcome.outcome === 'refused') return `${prefix}refused` as ReportEventKind;
  return `${prefix}${via === 'push' ? 'forwarded' : 'delivered'}` as ReportEventKind;
}

/** The `received`/`requested` and `answered`/`answer-received` events of an arrival. */
export const arrivalEvent = (via: ReportArrivalVia): ReportEventKind =>
  via === 'origin' ? 'requested' : 'received';
export const answerArrivalEvent = (from: string | undefined): ReportEventKind =>
  from === undefined ? 'answered' : 'answer-received';
/** The event of queueing a step: a mailbox step is `forwarded` when queued, a push when acknowledged. */
export const queuedEvent = (item: 'request' | 'answer'): ReportEventKind =>
  item === 'answer' ? 'answer-forwarded' : 'forwarded';

export const detailText = (d: string): string => (d.length > 500 ? `${d.slice(0, 499)}…` : d);

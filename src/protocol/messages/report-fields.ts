import {
  BODY_TEXT_PATTERN,
  DATE_PATTERN,
  ISO_TIME_PATTERN,
  LINE_TEXT_PATTERN,
  REPORT_LIMITS,
  UUID_PATTERN,
  type ReportAnswer,
  type ReportRequest,
} from '../../domain/report/report.ts';
import type { BodyReader } from './BodyReader.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/** The fields of 報告要求 messages (R5, R6; docs/REPORTS.md), read with the domain's bounds. */

export const REPORT_ID_RULE = { max: 36, pattern: UUID_PATTERN, patternText: 'a UUID' };
const TIME = { max: 24, pattern: ISO_TIME_PATTERN, patternText: 'YYYY-MM-DDTHH:MM:SS.sssZ' };
const line = (max: number) => ({
  max,
  pattern: LINE_TEXT_PATTERN,
  patternText: 'one line without control characters',
});
const BODY = {
  max: REPORT_LIMITS.body,
  pattern: BODY_TEXT_PATTERN,
  patternText: 'text without control characters other than tab and line breaks',
};

const DATE = { max: 10, pattern: DATE_PATTERN, patternText: 'YYYY-MM-DD' };

/** An analysis request's optional fields (R16); absent on a report request (and from older nodes). */
function readAnalysis(r: BodyReader): Pick<ReportRequest, 'kind' | 'analysis'> {
  const kind = r.has('kind') ? r.oneOf('kind', ['report', 'analysis'] as const) : undefined;
  if (!r.has('analysis')) return kind === 'analysis' ? { kind } : {};
  const a = r.object('analysis');
  const from = a.optionalString('from', DATE);
  const to = a.optionalString('to', DATE);
  return {
    ...(kind === undefined ? {} : { kind }),
    analysis: {
      residentCode: a.string('residentCode', {
        max: 11,
        pattern: /^\d{11}$/,
        patternText: '11 digits',
      }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    },
  };
}

export function readReportRequest(r: BodyReader): ReportRequest {
  return {
    ...readAnalysis(r),
    id: r.string('id', REPORT_ID_RULE),
    origin: r.string('origin', NODE_NAME_RULE),
    target: r.string('target', NODE_NAME_RULE),
    subject: r.string('subject', line(REPORT_LIMITS.subject)),
    body: r.string('body', BODY),
    operator: r.string('operator', line(REPORT_LIMITS.operator)),
    requestedAt: r.string('requestedAt', TIME),
  };
}

export function readReportAnswer(r: BodyReader): ReportAnswer {
  return {
    requestId: r.string('requestId', REPORT_ID_RULE),
    answeredBy: r.string('answeredBy', NODE_NAME_RULE),
    body: r.string('body', BODY),
    operator: r.string('operator', line(REPORT_LIMITS.operator)),
    answeredAt: r.string('answeredAt', TIME),
  };
}

/** The idempotency key of a `report-answer`: one answer per request. */
export const answerKey = (requestId: string): string => `answer:${requestId}`;

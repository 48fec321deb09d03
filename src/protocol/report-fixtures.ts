import type { ReportAnswer, ReportRequest } from '../domain/report/report.ts';
import type { Message } from './messages/registry.ts';
import { answerKey } from './messages/report-fields.ts';

/** A well-formed 報告要求 and its answer (tests and `sampleMessages`). */
export const sampleReportRequest = (): ReportRequest => ({
  id: '0b6f1c2e-8a51-4a53-9d0e-2f1e0c6b7a10',
  origin: 'cs:131016',
  target: 'agency:mhlw-pension',
  subject: '本人確認情報の保護措置の実施状況',
  body: '協定書に定める保護措置の実施状況を報告してください。\n期限: 2026年12月1日',
  operator: '千代田区 住民課 住基 一郎',
  requestedAt: '2026-11-24T01:02:03.456Z',
});

export const sampleReportAnswer = (): ReportAnswer => ({
  requestId: sampleReportRequest().id,
  answeredBy: 'agency:mhlw-pension',
  body: '別紙のとおり報告します。\tアクセスログは月次で分析しています。',
  operator: '日本年金機構 情報管理課',
  answeredAt: '2026-11-25T09:00:00.000Z',
});

/** One valid message of each 報告要求 kind. */
export function reportSampleMessages(): Message[] {
  const request = sampleReportRequest();
  const answer = sampleReportAnswer();
  return [
    { kind: 'report-request', idempotencyKey: request.id, request },
    { kind: 'report-ack', idempotencyKey: request.id, requestId: request.id, outcome: 'recorded' },
    { kind: 'report-answer', idempotencyKey: answerKey(request.id), answer },
    { kind: 'report-poll', acknowledge: [{ item: 'request', requestId: request.id }] },
    {
      kind: 'report-mail',
      items: [
        { item: 'request', request },
        { item: 'answer', answer },
      ],
      more: false,
    },
  ];
}

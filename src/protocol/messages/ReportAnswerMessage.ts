import type { ReportAnswer } from '../../domain/report/report.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import { answerKey, readReportAnswer } from './report-fields.ts';

/**
 * The answer to a 報告要求 (R5) one step up: an agency server answers a request addressed to it by
 * sending its answer to the national server (every other step of an answer goes down, through a
 * mailbox: `report-poll`). The national server checks that the request was addressed to this
 * agency and came to it from there, records the answer and puts it in the mailbox of the node the
 * request came from. A write: the idempotency key is `answer:<request id>`. Answered by
 * `report-ack`; refusals: `not-found` (`report.unknown-request`), `forbidden`
 * (`report.answer-wrong-path`, `report.answered-by`), `conflict` (`report.answer-differs`).
 */
export type ReportAnswerMessage = {
  readonly kind: 'report-answer';
  readonly idempotencyKey: string;
  readonly answer: ReportAnswer;
};

export const ReportAnswerMessage = defineMessage<ReportAnswerMessage, 'report-ack'>({
  kind: 'report-answer',
  roles: ['request'],
  reply: 'report-ack',
  effect: 'write',
  parse(r): ReportAnswerMessage {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const answer = readReportAnswer(r.object('answer'));
    if (idempotencyKey !== answerKey(answer.requestId))
      r.fail(
        'idempotencyKey',
        'must be answer:<answer.requestId>',
        'message.idempotency-key-mismatch',
      );
    return { kind: 'report-answer', idempotencyKey, answer };
  },
});

import type { ReportRequest } from '../../domain/report/report.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import { readReportRequest, REPORT_ID_RULE } from './report-fields.ts';

/**
 * 報告要求 (R5, R6) one step up the network: a CS to its prefecture server, a prefecture server to
 * the national server (docs/REPORTS.md). Sent by the node that holds the request (its origin, or
 * a node on its path); the receiver checks that the request is within its origin's scope and that
 * the sender is the node before it on the path, records it (`received`) and passes it on or keeps
 * it (it is the target). A write: the idempotency key is the request id, and a repeated request
 * changes nothing (`duplicate`). Refusals: `forbidden` (`report.target-out-of-scope`,
 * `report.wrong-path`, `report.not-a-requester`), `conflict` (`report.id-reused`).
 */
export type ReportRequestMessage = {
  readonly kind: 'report-request';
  readonly idempotencyKey: string;
  readonly request: ReportRequest;
};

/** The receiver has recorded the request or the answer (`recorded`), or had already (`duplicate`). */
export type ReportAck = {
  readonly kind: 'report-ack';
  readonly idempotencyKey: string;
  readonly requestId: string;
  readonly outcome: 'recorded' | 'duplicate';
};

export const ReportRequestMessage = defineMessage<ReportRequestMessage, 'report-ack'>({
  kind: 'report-request',
  roles: ['request'],
  reply: 'report-ack',
  effect: 'write',
  parse(r): ReportRequestMessage {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const request = readReportRequest(r.object('request'));
    if (idempotencyKey !== request.id)
      r.fail('idempotencyKey', 'must equal request.id', 'message.idempotency-key-mismatch');
    return { kind: 'report-request', idempotencyKey, request };
  },
});

export const ReportAck = defineMessage<ReportAck>({
  kind: 'report-ack',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): ReportAck => ({
    kind: 'report-ack',
    idempotencyKey: r.string('idempotencyKey', IDEMPOTENCY_KEY),
    requestId: r.string('requestId', REPORT_ID_RULE),
    outcome: r.oneOf('outcome', ['recorded', 'duplicate'] as const),
  }),
});

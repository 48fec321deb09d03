import type { ReportAnswer, ReportRequest } from '../../domain/report/report.ts';
import { defineMessage } from './define-message.ts';
import { readReportAnswer, readReportRequest, REPORT_ID_RULE } from './report-fields.ts';

/** One item of a mailbox: a request for an agency, or an answer going back toward the origin. */
export type ReportMailItem =
  | { readonly item: 'request'; readonly request: ReportRequest }
  | { readonly item: 'answer'; readonly answer: ReportAnswer };

/** What the poller has recorded from the previous `report-mail`: taken out of the mailbox. */
export type ReportMailKey = { readonly item: 'request' | 'answer'; readonly requestId: string };

/** At most this many items per `report-mail` (each at most ~25 KB: well within a frame). */
export const REPORT_MAIL_MAX = 16;

/**
 * A lower node fetches its mail from its upstream node (報告要求, R5, R6; docs/REPORTS.md): a
 * CS from its prefecture server, a prefecture or agency server from the national server. Nothing
 * travels down the network otherwise (connections are opened upward only). `acknowledge` lists
 * the items of the previous `report-mail` the poller has recorded: the upstream node takes them
 * out of the mailbox (`delivered`) before it answers with what is left. An item not acknowledged
 * comes again (the poller's recording is idempotent). The mailbox is the one of the node the
 * certificate names: nobody reads another's mail.
 */
export type ReportPoll = {
  readonly kind: 'report-poll';
  readonly acknowledge: readonly ReportMailKey[];
};

export type ReportMail = {
  readonly kind: 'report-mail';
  readonly items: readonly ReportMailItem[];
  /** More is waiting: poll again (acknowledging these). */
  readonly more: boolean;
};

export const ReportPoll = defineMessage<ReportPoll, 'report-mail'>({
  kind: 'report-poll',
  roles: ['request'],
  reply: 'report-mail',
  effect: {
    idempotentByContent:
      'acknowledge takes the named items out of the caller’s mailbox: taking out what is already out changes nothing',
  },
  parse: (r): ReportPoll => ({
    kind: 'report-poll',
    acknowledge: r.objects('acknowledge', { maxItems: REPORT_MAIL_MAX }).map((k) => ({
      item: k.oneOf('item', ['request', 'answer'] as const),
      requestId: k.string('requestId', REPORT_ID_RULE),
    })),
  }),
});

export const ReportMail = defineMessage<ReportMail>({
  kind: 'report-mail',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): ReportMail => ({
    kind: 'report-mail',
    items: r.objects('items', { maxItems: REPORT_MAIL_MAX }).map((m): ReportMailItem => {
      const item = m.oneOf('item', ['request', 'answer'] as const);
      return item === 'request'
        ? { item, request: readReportRequest(m.object('request')) }
        : { item, answer: readReportAnswer(m.object('answer')) };
    }),
    more: r.boolean('more'),
  }),
});

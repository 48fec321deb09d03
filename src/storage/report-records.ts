import type {
  ReportAnswer,
  ReportArrivalVia,
  ReportEventKind,
  ReportRequest,
} from '../domain/report/report.ts';
import type { ReportHop } from '../domain/report/report-route.ts';

/** 報告要求 (R5, R6) as a node stores it (docs/REPORTS.md); the port is `ReportStore` in ports.ts. */

/** How a request came to this node and when; the events recorded are `requested` or `received`. */
export type ReportArrival = {
  readonly at: string;
  readonly via: ReportArrivalVia;
  /** The node it came from (none when made here). */
  readonly from: string | undefined;
};

/** How an answer came to this node: answered here (`from` undefined) or received from `from`. */
export type AnswerArrival = { readonly at: string; readonly from: string | undefined };

/** A request or an answer waiting to go one step on: sent to `peer` (push) or fetched by it (poll). */
export type QueuedReport = {
  readonly peer: string;
  readonly via: ReportHop['via'];
  readonly queuedAt: string;
} & (
  | { readonly item: 'request'; readonly request: ReportRequest }
  | { readonly item: 'answer'; readonly request: ReportRequest; readonly answer: ReportAnswer }
);

/** One queued item, by what it carries. */
export type QueueKey = { readonly item: 'request' | 'answer'; readonly requestId: string };

/** How a queued item left: taken (acknowledged or fetched), or refused by the next node. */
export type QueueOutcome =
  { readonly outcome: 'done' } | { readonly outcome: 'refused'; readonly detail: string };

/** `recorded`: new here; `duplicate`: the same request or answer was recorded before, nothing changed. */
export type RecordOutcome = 'recorded' | 'duplicate';

export type { ReportEventKind };

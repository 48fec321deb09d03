import type { ChangeReason } from '../../domain/change/ChangeReason.ts';
import { CHANGE_REASON_LIST } from '../../domain/change/ChangeReason.ts';
import type { Rejection, RejectionRule } from '../../domain/change/validate-change.ts';
import { REJECTION_RULES } from '../../domain/change/validate-change.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { dateProblem, residentCodeProblem } from '../../domain/resident/identity-fields.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/**
 * 差戻しの還送 (R19; docs/FLOW.md §4): a CS asks its prefecture server for the refusals, by a
 * server further up (the national server), of changes the prefecture accepted from this CS and
 * forwarded — after the id it already has. Connections go upward only, so the prefecture keeps
 * them and the CS fetches them. The municipality is the caller's certificate's, never a field of
 * the message: a CS learns of its own municipality's refusals only. Answered by
 * `rejection-records`. Not a write: the CS records each refusal in its register itself
 * (idempotent on the transaction id).
 */
export type RejectionPoll = {
  readonly kind: 'rejection-poll';
  /** The highest id the caller has recorded (0 at first). */
  readonly afterId: number;
  /** At most this many records (1–REJECTION_POLL_MAX_RECORDS). */
  readonly limit: number;
};

/** One refusal of a forwarded change, as the prefecture server recorded it. */
export type ForwardedRejection = {
  /** The prefecture server's id of the record (the caller's cursor). */
  readonly id: number;
  readonly transactionId: string;
  /** The 団体コード of the municipality whose CS sent the change. */
  readonly municipality: string;
  readonly residentCode: ResidentCode;
  readonly reason: ChangeReason;
  readonly changeDate: CalendarDate;
  /** The node that refused it, e.g. `national:jlis`. */
  readonly rejectedBy: string;
  readonly rejection: Rejection;
  /** When the prefecture server received the refusal (ISO 8601, UTC). */
  readonly at: string;
};

/**
 * The refusals for the caller's municipality with id > `afterId`, in id order. `nextAfterId` is
 * the id of the last record sent (`afterId` when none); `more`: ask again at once.
 */
export type RejectionRecords = {
  readonly kind: 'rejection-records';
  readonly records: readonly ForwardedRejection[];
  readonly nextAfterId: number;
  readonly more: boolean;
};

/** The largest page a caller may ask for. */
export const REJECTION_POLL_MAX_RECORDS = 500;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const RULES = REJECTION_RULES.map((r) => r.rule);

export const RejectionPoll = defineMessage<RejectionPoll, 'rejection-records'>({
  kind: 'rejection-poll',
  roles: ['request'],
  reply: 'rejection-records',
  effect: 'read',
  parse: (r): RejectionPoll => ({
    kind: 'rejection-poll',
    afterId: r.integer('afterId'),
    limit: r.integer('limit', { min: 1, max: REJECTION_POLL_MAX_RECORDS }),
  }),
});

function readRecord(r: BodyReader): ForwardedRejection {
  r.check('residentCode', residentCodeProblem(r.value('residentCode')));
  r.check('changeDate', dateProblem(r.value('changeDate')));
  const rejection = r.object('rejection');
  return {
    id: r.integer('id', { min: 1 }),
    transactionId: r.string('transactionId', IDEMPOTENCY_KEY),
    municipality: r.string('municipality', {
      max: 6,
      pattern: /^\d{6}$/,
      patternText: 'a 団体コード of 6 digits',
    }),
    residentCode: r.body.residentCode as ResidentCode,
    reason: r.oneOf('reason', CHANGE_REASON_LIST),
    changeDate: r.body.changeDate as CalendarDate,
    rejectedBy: r.string('rejectedBy', NODE_NAME_RULE),
    rejection: {
      rule: rejection.oneOf<RejectionRule>('rule', RULES),
      message: rejection.string('message', { max: 1000 }),
    },
    at: r.string('at', { max: 40, pattern: ISO_UTC, patternText: 'an ISO 8601 UTC instant' }),
  };
}

export const RejectionRecords = defineMessage<RejectionRecords>({
  kind: 'rejection-records',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): RejectionRecords => ({
    kind: 'rejection-records',
    records: r.objects('records', { maxItems: REJECTION_POLL_MAX_RECORDS }).map(readRecord),
    nextAfterId: r.integer('nextAfterId'),
    more: r.boolean('more'),
  }),
});

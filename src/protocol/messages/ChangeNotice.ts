import type { ChangeEvent } from '../../domain/change/ChangeEvent.ts';
import type { ChangeReason } from '../../domain/change/ChangeReason.ts';
import { CHANGE_REASON_LIST } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { IdentityInfo, Sex } from '../../domain/resident/IdentityInfo.ts';
import {
  addressProblem,
  dateProblem,
  individualNumberProblem,
  localGovernmentCodeFieldProblem,
  nameKanaFieldProblem,
  nameKanjiFieldProblem,
  residentCodeProblem,
} from '../../domain/resident/identity-fields.ts';
import type { IndividualNumber } from '../../domain/resident/IndividualNumber.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';

/**
 * 異動通知: one accepted change of 本人確認情報, CS → prefecture → national (R19). A write: the
 * idempotency key is the event's transaction id, so a notice retried after a dropped connection is
 * applied once (the receiver answers `duplicate`). Answered by `change-ack`.
 *
 * The edge checks the event's shape and every field's format with the domain's own field checks
 * (check digits, dates, names, 団体コード); the logical checks of R19 (e.g. 転入 for a resident who
 * already exists) are the receiver's business and come back as a `rejected` ack.
 */
export type ChangeNotice = {
  readonly kind: 'change-notice';
  readonly idempotencyKey: string;
  readonly event: ChangeEvent;
};

export const changeNotice = (event: ChangeEvent): ChangeNotice => ({
  kind: 'change-notice',
  idempotencyKey: event.transactionId,
  event,
});

const CHANGE_REASONS: ReadonlySet<ChangeReason> = new Set(CHANGE_REASON_LIST);
const NAME = { max: 200 };
const ADDRESS = { max: 500 };

/** The items of 本人確認情報 (exactly those: anything else on the wire is dropped, R1). */
export function readIdentityInfo(r: BodyReader): IdentityInfo {
  r.check('residentCode', residentCodeProblem(r.value('residentCode')));
  r.check('individualNumber', individualNumberProblem(r.body.individualNumber));
  const name = r.object('name');
  const kanji = name.string('kanji', NAME);
  const kana = name.string('kana', NAME);
  name.check('kanji', nameKanjiFieldProblem({ kanji, kana }));
  name.check('kana', nameKanaFieldProblem({ kanji, kana }));
  const sex = r.oneOf<Sex>('sex', ['male', 'female']);
  r.check('birthDate', dateProblem(r.value('birthDate')));
  const address = r.string('address', ADDRESS);
  r.check('address', addressProblem(address));
  r.check('localGovernmentCode', localGovernmentCodeFieldProblem(r.value('localGovernmentCode')));
  const residentCode = r.body.residentCode as ResidentCode;
  const birthDate = r.body.birthDate as CalendarDate;
  const localGovernmentCode = r.body.localGovernmentCode as string;
  return r.has('individualNumber')
    ? {
        residentCode,
        individualNumber: r.body.individualNumber as IndividualNumber,
        name: { kanji, kana },
        sex,
        birthDate,
        address,
        localGovernmentCode,
      }
    : { residentCode, name: { kanji, kana }, sex, birthDate, address, localGovernmentCode };
}

export function readChangeEvent(r: BodyReader): ChangeEvent {
  const transactionId = r.string('transactionId', IDEMPOTENCY_KEY);
  const reason = r.oneOf('reason', CHANGE_REASONS);
  r.check('changeDate', dateProblem(r.value('changeDate')));
  r.check('residentCode', residentCodeProblem(r.value('residentCode')));
  const values = readIdentityInfo(r.object('values'));
  const movedOverseas = r.optionalBoolean('movedOverseas');
  const changeDate = r.body.changeDate as CalendarDate;
  const residentCode = r.body.residentCode as ResidentCode;
  return movedOverseas === undefined
    ? { transactionId, reason, changeDate, residentCode, values }
    : { transactionId, reason, changeDate, residentCode, values, movedOverseas };
}

export const ChangeNotice = defineMessage<ChangeNotice, 'change-ack'>({
  kind: 'change-notice',
  roles: ['request'],
  reply: 'change-ack',
  effect: 'write',
  parse(r): ChangeNotice {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const event = readChangeEvent(r.object('event'));
    if (event.transactionId !== idempotencyKey)
      r.fail(
        'idempotencyKey',
        'must equal event.transactionId (the sender’s transaction id)',
        'message.idempotency-key-mismatch',
      );
    return { kind: 'change-notice', idempotencyKey, event };
  },
});

import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { ChangeAck } from '../protocol/messages/ChangeAck.ts';
import type { ChangeNotice } from '../protocol/messages/ChangeNotice.ts';
import type { ApplyOutcome, IdentityStore } from '../storage/ports.ts';

/**
 * The receiving side of a change notice (R19) at a prefecture or the national server: the store
 * validates and applies the change (idempotent on the notice's key) and the outcome travels back
 * as the ack, a rejection with its R19 rule included, so it is never silently dropped.
 */
export function changeNoticeHandler(
  store: IdentityStore,
  options: { today: () => CalendarDate; forward?: boolean },
): (notice: ChangeNotice) => Promise<ChangeAck> {
  return async (notice) => {
    const outcome = await store.applyChange(notice.event, {
      today: options.today(),
      ...(options.forward ? { outbox: true } : {}),
    });
    return ackOf(notice, outcome);
  };
}

export function ackOf(notice: ChangeNotice, outcome: ApplyOutcome): ChangeAck {
  const idempotencyKey = notice.idempotencyKey;
  switch (outcome.status) {
    case 'applied':
    case 'duplicate':
      return {
        kind: 'change-ack',
        idempotencyKey,
        outcome: outcome.status,
        sequence: outcome.sequence,
      };
    case 'rejected':
      return {
        kind: 'change-ack',
        idempotencyKey,
        outcome: 'rejected',
        rejection: outcome.rejection,
      };
  }
}

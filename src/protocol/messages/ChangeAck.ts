import type { Rejection, RejectionRule } from '../../domain/change/validate-change.ts';
import { REJECTION_RULES } from '../../domain/change/validate-change.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';

/**
 * The receiver's outcome for a `change-notice`, keyed by the notice's idempotency key:
 * - `applied`: stored now, with the sequence number the receiving store gave it;
 * - `duplicate`: the key was seen before; nothing changed (the sequence of the first application);
 * - `rejected`: refused by the R19 rule table, with the rule and its message — also stable: a
 *   retried rejected notice is rejected again the same way.
 * The sender removes the notice from its outbox on any of the three.
 */
export type ChangeAck =
  | {
      readonly kind: 'change-ack';
      readonly idempotencyKey: string;
      readonly outcome: 'applied' | 'duplicate';
      readonly sequence: number;
    }
  | {
      readonly kind: 'change-ack';
      readonly idempotencyKey: string;
      readonly outcome: 'rejected';
      readonly rejection: Rejection;
    };

const RULES = REJECTION_RULES.map((r) => r.rule);

export const ChangeAck = defineMessage<ChangeAck>({
  kind: 'change-ack',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse(r): ChangeAck {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const outcome = r.oneOf('outcome', ['applied', 'duplicate', 'rejected'] as const);
    if (outcome !== 'rejected') {
      const sequence = r.integer('sequence');
      return { kind: 'change-ack', idempotencyKey, outcome, sequence };
    }
    const rejection = r.object('rejection');
    const rule = rejection.oneOf<RejectionRule>('rule', RULES);
    const message = rejection.string('message', { max: 1000 });
    return { kind: 'change-ack', idempotencyKey, outcome, rejection: { rule, message } };
  },
});

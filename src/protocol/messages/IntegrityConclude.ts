import { defineMessage } from './define-message.ts';
import { readCheckId } from './integrity-fields.ts';

/**
 * The sender has sent everything: the receiver records the check (its side) and notifies the
 * result (`integrity-result`). A write: the idempotency key is the check id; a retried conclude on
 * the session gets the same result and records nothing twice.
 */
export type IntegrityConclude = {
  readonly kind: 'integrity-conclude';
  readonly idempotencyKey: string;
  readonly checkId: string;
};

export const integrityConclude = (checkId: string): IntegrityConclude => ({
  kind: 'integrity-conclude',
  idempotencyKey: checkId,
  checkId,
});

export const IntegrityConclude = defineMessage<IntegrityConclude, 'integrity-result'>({
  kind: 'integrity-conclude',
  roles: ['request'],
  reply: 'integrity-result',
  effect: 'write',
  parse(r): IntegrityConclude {
    const idempotencyKey = r.body.idempotencyKey as string;
    const checkId = readCheckId(r);
    if (idempotencyKey !== checkId)
      r.fail('idempotencyKey', 'must equal checkId', 'message.idempotency-key-mismatch');
    return { kind: 'integrity-conclude', idempotencyKey, checkId };
  },
});

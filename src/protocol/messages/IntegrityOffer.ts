import type { IntegrityScope } from '../../domain/integrity/IntegrityScope.ts';
import { defineMessage } from './define-message.ts';
import { readCheckId, readScope } from './integrity-fields.ts';

/**
 * 本人確認情報整合 (R20), step 1, lower node → upper node (CS → prefecture, prefecture → national):
 * "I want to check `scope`; I hold `count` residents in it." The receiver authorizes the scope
 * against the authenticated caller (a CS its own municipality, a prefecture its own prefecture;
 * else `forbidden`, before reading anything), starts building its hash tree and answers
 * `integrity-accept` with its own count and the tree depth both use (docs/INTEGRITY.md).
 */
export type IntegrityOffer = {
  readonly kind: 'integrity-offer';
  readonly checkId: string;
  readonly scope: IntegrityScope;
  readonly count: number;
};

export const IntegrityOffer = defineMessage<IntegrityOffer, 'integrity-accept'>({
  kind: 'integrity-offer',
  roles: ['request'],
  reply: 'integrity-accept',
  effect: 'read',
  parse: (r): IntegrityOffer => ({
    kind: 'integrity-offer',
    checkId: readCheckId(r),
    scope: readScope(r),
    count: r.integer('count'),
  }),
});

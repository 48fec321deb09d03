import { defineMessage } from './define-message.ts';
import { MAX_TREE_DEPTH, readCheckId } from './integrity-fields.ts';

/**
 * The receiver took the check: its own count of residents in scope, and the depth of the hash
 * tree (2^depth buckets over the resident-code space) that both sides build, chosen from the
 * larger count (docs/INTEGRITY.md "Bucket count").
 */
export type IntegrityAccept = {
  readonly kind: 'integrity-accept';
  readonly checkId: string;
  readonly count: number;
  readonly depth: number;
};

export const IntegrityAccept = defineMessage<IntegrityAccept>({
  kind: 'integrity-accept',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): IntegrityAccept => ({
    kind: 'integrity-accept',
    checkId: readCheckId(r),
    count: r.integer('count'),
    depth: r.integer('depth', { max: MAX_TREE_DEPTH }),
  }),
});

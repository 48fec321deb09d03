import { defineMessage } from './define-message.ts';
import { MAX_TREE_DEPTH, readCheckId, readIndices } from './integrity-fields.ts';

/** The nodes of an `integrity-descend` whose hash differs at the receiver (ascending). */
export type IntegrityNodes = {
  readonly kind: 'integrity-nodes';
  readonly checkId: string;
  readonly depth: number;
  readonly differing: readonly number[];
};

export const IntegrityNodes = defineMessage<IntegrityNodes>({
  kind: 'integrity-nodes',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse(r): IntegrityNodes {
    const checkId = readCheckId(r);
    const depth = r.integer('depth', { max: MAX_TREE_DEPTH });
    return {
      kind: 'integrity-nodes',
      checkId,
      depth,
      differing: readIndices(r, 'differing', 2 ** depth),
    };
  },
});

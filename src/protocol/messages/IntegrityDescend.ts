import { defineMessage } from './define-message.ts';
import { MAX_TREE_DEPTH, readCheckId, readHashes, readIndices } from './integrity-fields.ts';

/**
 * One level of the hash-tree descent: the sender's hashes of the nodes `indices` (ascending) at
 * `depth` (node i covers the i-th of 2^depth equal resident-code ranges). The receiver answers
 * `integrity-nodes` with those of them whose hash differs from its own. The sender then sends the
 * children of the differing nodes, one level deeper, until the tree's depth.
 */
export type IntegrityDescend = {
  readonly kind: 'integrity-descend';
  readonly checkId: string;
  readonly depth: number;
  readonly indices: readonly number[];
  /** 32 bytes per index, in the same order. */
  readonly hashes: Uint8Array;
};

export const IntegrityDescend = defineMessage<IntegrityDescend, 'integrity-nodes'>({
  kind: 'integrity-descend',
  roles: ['request'],
  reply: 'integrity-nodes',
  effect: 'read',
  parse(r): IntegrityDescend {
    const checkId = readCheckId(r);
    const depth = r.integer('depth', { max: MAX_TREE_DEPTH });
    const indices = readIndices(r, 'indices', 2 ** depth);
    const hashes = readHashes(r, 'hashes', indices.length);
    return { kind: 'integrity-descend', checkId, depth, indices, hashes };
  },
});

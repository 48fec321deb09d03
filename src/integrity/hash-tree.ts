import { hash } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import { HASH_BYTES, MAX_TREE_DEPTH } from '../protocol/messages/integrity-fields.ts';
import { rangeBounds } from './code-space.ts';
import { asAsyncRecords, canonicalRecord, type RecordSource } from './record-digest.ts';

const LEAF_TAG = 'jukinet-integrity-v1/leaf\n';
const NODE_TAG = Buffer.from('jukinet-integrity-v1/node\n');
const EMPTY_LEAF = hash('sha256', LEAF_TAG, 'buffer');

/**
 * The hash tree (Merkle tree) of one scope's residents over the resident-code space (R20,
 * docs/INTEGRITY.md). Level `d` has 2^d nodes; node i covers code range i of that level
 * (code-space.ts). A leaf (level `depth`) is SHA-256 over the canonical encodings of its records
 * in code order; a node above is SHA-256 over its two children. Two files agree on a range exactly
 * when (up to SHA-256 collisions) their nodes for it are equal.
 *
 * Memory: 2^(depth+1) × 32 bytes (16 384 buckets: 1 MiB), whatever the number of records; the
 * records themselves stream through once and are not kept.
 */
export class HashTree {
  private constructor(
    readonly depth: number,
    /** Records read. */
    readonly count: number,
    /** levels[d]: 2^d hashes of 32 bytes, concatenated. */
    private readonly levels: readonly Buffer[],
  ) {}

  /**
   * Builds the tree from records in ascending resident-code order (what `scanScope` yields).
   * Throws if the order is broken (a store bug: the tree would be wrong) or `signal` aborts.
   */
  static async build(
    records: RecordSource,
    depth: number,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<HashTree> {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_TREE_DEPTH)
      throw new RangeError(`tree depth must be 0–${MAX_TREE_DEPTH}: ${depth}`);
    const bounds = rangeBounds(depth);
    const leafCount = 2 ** depth;
    const leaves = Buffer.alloc(leafCount * HASH_BYTES);
    let leaf = 0;
    let text = LEAF_TAG;
    let inLeaf = 0;
    let count = 0;
    let previous = -1;
    const finishLeaf = () => {
      (inLeaf === 0 ? EMPTY_LEAF : hash('sha256', text, 'buffer')).copy(leaves, leaf * HASH_BYTES);
      leaf++;
      text = LEAF_TAG;
      inLeaf = 0;
    };
    for await (const r of asAsyncRecords(records)) {
      const n = Number(r.residentCode);
      if (!(n > previous))
        throw new RegistryError(
          'unavailable',
          `整合性検査: 住民票コード順でない / records out of resident-code order at ${r.residentCode}`,
          'integrity.scan-order',
        );
      previous = n;
      while (n >= bounds[leaf + 1]!) finishLeaf();
      text += canonicalRecord(r);
      inLeaf++;
      if (++count % 4096 === 0) options.signal?.throwIfAborted();
    }
    options.signal?.throwIfAborted();
    while (leaf < leafCount) finishLeaf();
    return new HashTree(depth, count, buildLevels(leaves, depth));
  }

  /** The root: one hash for the whole scope. */
  get root(): Buffer {
    return this.levels[0]!;
  }

  /** The hashes of nodes `indices` at level `depth`, concatenated in that order. */
  hashesOf(depth: number, indices: readonly number[]): Buffer {
    const level = this.#level(depth);
    const out = Buffer.allocUnsafe(indices.length * HASH_BYTES);
    indices.forEach((i, k) =>
      level.copy(out, k * HASH_BYTES, i * HASH_BYTES, (i + 1) * HASH_BYTES),
    );
    return out;
  }

  /** Of nodes `indices` at level `depth`, those whose hash here differs from `hashes` (theirs). */
  differing(depth: number, indices: readonly number[], hashes: Uint8Array): number[] {
    const level = this.#level(depth);
    const out: number[] = [];
    indices.forEach((i, k) => {
      const mine = level.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
      const theirs = hashes.subarray(k * HASH_BYTES, (k + 1) * HASH_BYTES);
      if (!mine.equals(theirs)) out.push(i);
    });
    return out;
  }

  #level(depth: number): Buffer {
    const level = this.levels[depth];
    if (level === undefined)
      throw new RangeError(`no level ${depth} in a tree of depth ${this.depth}`);
    return level;
  }
}

function buildLevels(leaves: Buffer, depth: number): Buffer[] {
  const levels: Buffer[] = new Array<Buffer>(depth + 1);
  levels[depth] = leaves;
  const pair = Buffer.allocUnsafe(NODE_TAG.length + 2 * HASH_BYTES);
  NODE_TAG.copy(pair, 0);
  for (let d = depth - 1; d >= 0; d--) {
    const below = levels[d + 1]!;
    const level = Buffer.allocUnsafe(2 ** d * HASH_BYTES);
    for (let i = 0; i < 2 ** d; i++) {
      below.copy(pair, NODE_TAG.length, 2 * i * HASH_BYTES, (2 * i + 2) * HASH_BYTES);
      hash('sha256', pair, 'buffer').copy(level, i * HASH_BYTES);
    }
    levels[d] = level;
  }
  return levels;
}

/**
 * The descent both ends run in the exchange, here on two local trees (tests, tools): from level
 * `start`, the nodes that differ, then their children, down to the leaves. Returns the differing
 * leaves, ascending.
 */
export function differingLeaves(sender: HashTree, receiver: HashTree, start = 0): number[] {
  let depth = Math.min(start, sender.depth);
  let indices = Array.from({ length: 2 ** depth }, (_, i) => i);
  for (;;) {
    const differ = receiver.differing(depth, indices, sender.hashesOf(depth, indices));
    if (depth === sender.depth || differ.length === 0) return differ;
    indices = differ.flatMap((i) => [2 * i, 2 * i + 1]);
    depth++;
  }
}

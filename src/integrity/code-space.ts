import { MAX_TREE_DEPTH } from '../protocol/messages/integrity-fields.ts';

/**
 * The resident-code space of the hash tree. Resident codes are 11 digits whose first 10 are
 * uniformly random (R7), so the numeric value of a code is spread evenly over [0, 10^11), and
 * 2^depth equal ranges of it hold about count / 2^depth residents each. Range i at depth d is
 * [ceil(i·10^11 / 2^d), ceil((i+1)·10^11 / 2^d)); the two halves of a range are the ranges 2i
 * and 2i+1 one level deeper, so every depth's ranges nest in the one above.
 */
export const CODE_SPACE = 100_000_000_000;

/** 10^11 = 2^11 · 48 828 125: the bounds are exact in doubles up to depth 18. */
const ODD_PART = 48_828_125;

/** Lower bound of range `index` at `depth` (index = 2^depth gives CODE_SPACE, the end). */
export function rangeStart(depth: number, index: number): number {
  return depth <= 11
    ? index * ODD_PART * 2 ** (11 - depth)
    : Math.ceil((index * ODD_PART) / 2 ** (depth - 11));
}

/** The 2^depth + 1 bounds of the ranges at `depth`. */
export function rangeBounds(depth: number): Float64Array {
  const n = 2 ** depth;
  const bounds = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) bounds[i] = rangeStart(depth, i);
  return bounds;
}

/** A bound as the code-range messages and `scanScope` take it (undefined: the end of the space). */
export const boundCode = (n: number): string | undefined =>
  n >= CODE_SPACE ? undefined : String(n).padStart(11, '0');

/** Records per bucket the tree aims at (docs/INTEGRITY.md "Bucket count"). */
export const RECORDS_PER_BUCKET = 256;

/**
 * The tree depth for a scope of `count` residents: the power of two nearest count / 256 (in
 * log scale), at least 1 bucket, at most 2^MAX_TREE_DEPTH. Both ends take the larger of their two
 * counts, so they build the same tree.
 */
export function depthForCount(count: number): number {
  if (!(count > RECORDS_PER_BUCKET)) return 0;
  return Math.min(MAX_TREE_DEPTH, Math.round(Math.log2(count / RECORDS_PER_BUCKET)));
}

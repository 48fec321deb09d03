import { ENTRY_DIGEST_BYTES, HASH_BYTES } from '../protocol/messages/integrity-fields.ts';

/*
 * Sizes of the integrity-check messages. Every message must fit the receiving side's maximum
 * frame size (announced in hello; 4 KiB – 16 MiB, 1 MiB by default), so each message is filled up
 * to a budget below it: the peer's maximum less 1 KiB for the fixed fields, at most 1 MiB (one
 * message never holds a session's writer for long).
 */

export const MAX_MESSAGE_BUDGET = 1 << 20;

export const messageBudget = (peerMaxFrameSize: number): number =>
  Math.min(MAX_MESSAGE_BUDGET, peerMaxFrameSize) - 1024;

/** Upper bounds of one item's encoded size (MessagePack), bytes. */
export const ITEM_BYTES = {
  /** A node index (uint32: 5 bytes) and its hash. */
  node: 5 + HASH_BYTES,
  /** A resident code (fixstr of 11) and its entry digest. */
  entry: 12 + ENTRY_DIGEST_BYTES,
  /** A resident code in a list. */
  code: 12,
  /** A range's own fields (from, to, keys, headers). */
  range: 64,
} as const;

/** Level of the tree the descent starts at: 16 nodes (512 bytes of hashes) when deep enough. */
export const START_DEPTH = 4;

/** A range of `integrity-entries` spans at most this many buckets (bounds the receiver's scan). */
export const MAX_BUCKETS_PER_RANGE = 256;

/**
 * Codes a check lists, all kinds together (the counts are always exact). Beyond it the report is
 * `truncated`: repair what is listed, then check again.
 */
export const MAX_LISTED_DIFFERENCES = 100_000;

/** Records per `integrity-repair` message, at most (and within the budget). */
export const MAX_REPAIR_RECORDS = 1000;

/** How long one call of the check may take: the first descent waits for the receiver's scan. */
export const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;

import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';

/*
 * What the storage ports keep for the integrity check (本人確認情報整合, R20; docs/INTEGRITY.md).
 * The methods are on IdentityStore (ports.ts); the types live here to keep ports.ts short.
 */

/** A part of a scope by resident code: `fromCode` inclusive, `toCode` exclusive (absent: open). */
export type ScopeRange = { readonly fromCode?: string; readonly toCode?: string };

/** The three ways a record can differ, seen from the receiver (the upper node). */
export type IntegrityDifferences<T> = {
  /** In the sender's file, not (as a resident in scope) in the receiver's. */
  readonly missingAtReceiver: T;
  /** A resident in scope at the receiver, not in the sender's file. */
  readonly extraAtReceiver: T;
  /** In both, with different 本人確認情報. */
  readonly differingValues: T;
};

/**
 * One integrity check as one node records it (both ends record their own). Codes are listed up to a
 * cap (`truncated` then says more were found); the counts are always exact.
 */
export type IntegrityCheckRecord = {
  readonly checkId: string;
  readonly role: 'sender' | 'receiver';
  /** The other node, `<role>:<code>`. */
  readonly peer: string;
  readonly scope: IntegrityScope;
  /** ISO-8601 instants. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Residents in scope here, and at the other end. */
  readonly localCount: number;
  readonly peerCount: number;
  /** Depth of the hash tree (2^depth buckets over the resident-code space). */
  readonly depth: number;
  readonly matching: boolean;
  readonly differenceCounts: IntegrityDifferences<number>;
  readonly differences: IntegrityDifferences<readonly ResidentCode[]>;
  readonly truncated: boolean;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** What a repair changed at the receiver (zeros until one ran). */
  readonly repaired: RepairCounts;
};

/** A record re-sent by a repair: 本人確認情報 and its change information (R1). */
export type RepairRecord = IdentityInfo & {
  readonly lastChange: { readonly reason: ChangeReason; readonly date: CalendarDate };
};

export type RepairCounts = {
  readonly inserted: number;
  readonly updated: number;
  readonly removed: number;
  readonly conflicts: number;
};

export type RepairReport = RepairCounts & {
  /** Codes already repaired under this check, or already as asked: nothing done. */
  readonly unchanged: number;
  /** Codes not repaired because the store cannot take them as they are (docs/INTEGRITY.md). */
  readonly conflictCodes: readonly ResidentCode[];
};

export type RepairAction = 'inserted' | 'updated' | 'removed' | 'unchanged' | 'conflict';

/** One line of the repair log: what a repair did to one resident code. */
export type RepairLogEntry = {
  readonly checkId: string;
  readonly residentCode: ResidentCode;
  readonly action: RepairAction;
  /** ISO-8601 instant the store wrote the line. */
  readonly at: string;
};

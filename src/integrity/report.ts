import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { IntegrityDifferences, RepairCounts } from '../storage/ports.ts';

/** What a repair did at the receiver, summed over its messages. */
export type RepairSummary = RepairCounts & {
  /** Codes already as asked (or repaired before under the same check). */
  readonly unchanged: number;
  /** Codes the sender did not re-send: the record left its scope (or the file) since the check. */
  readonly skipped: number;
  /** Codes the receiver could not repair (docs/INTEGRITY.md "Repair"), ascending. */
  readonly conflictCodes: readonly ResidentCode[];
  /** The repair's share of the report's bytes. */
  readonly bytes: { readonly sent: number; readonly received: number };
};

/** The sender's report of one integrity check (R20), as `runIntegrityCheck` returns it. */
export type IntegrityReport = {
  readonly checkId: string;
  readonly scope: IntegrityScope;
  /** The receiver, `<role>:<code>`. */
  readonly peer: string;
  /** The hash tree had 2^depth buckets. */
  readonly depth: number;
  /** Residents in scope at each end. */
  readonly counts: { readonly sender: number; readonly receiver: number };
  /** The receiver's verdict: no record differs. */
  readonly matching: boolean;
  /** The differing resident codes by kind, ascending (up to MAX_LISTED_DIFFERENCES in all). */
  readonly differences: IntegrityDifferences<readonly ResidentCode[]>;
  /** Exact counts, even when the lists are truncated. */
  readonly differenceCounts: IntegrityDifferences<number>;
  readonly truncated: boolean;
  /** Protocol bytes of the check's messages (frames: header + body), both directions, repair included. */
  readonly bytes: { readonly sent: number; readonly received: number };
  /** Requests made (round trips). */
  readonly calls: number;
  /** Set when a repair ran. */
  readonly repaired: RepairSummary | undefined;
  readonly startedAt: string;
  readonly finishedAt: string;
};

import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { OperationResult, RegisterOperation } from '../domain/register/operations.ts';
import type { ResidentRecord } from '../domain/register/ResidentRecord.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { FeedAppender, RegisterFeed } from './register-feed.ts';

/**
 * The municipality's existing register (既存住基システム): the full 住民票 of its residents, the
 * counter operations that change them, and the feed of the resulting changes toward the CS. A
 * separate system from the CS, with its own database (docs/REGISTER.md). Two implementations,
 * SQLite and PostgreSQL, pass one contract (contract.ts).
 */
export interface RegisterStore extends RegisterFeed, FeedAppender {
  /** 団体コード of the municipality, recorded when the register was created (undefined: not yet). */
  readonly municipality: string | undefined;
  /**
   * Runs a counter operation against the stored 住民票 and, in ONE transaction, stores the new
   * 住民票 (and other members' records it changed), a history row for each, and appends the change
   * event to the feed. Draws the transaction id (randomUUID, unless given), new resident codes
   * (CSPRNG, never used before, R7) and household numbers. A refused operation throws the
   * domain's RegistryError and stores nothing. With a given transaction id already performed,
   * returns what that operation stored (`duplicate: true`) and changes nothing.
   */
  perform(operation: RegisterOperation, options: PerformOptions): Promise<PerformResult>;
  /** The record whose current resident code is `code` (removed records too), or undefined. */
  getRecord(code: ResidentCode): Promise<ResidentRecord | undefined>;
  /** The resident members of a household, head first. */
  household(householdId: string): Promise<ResidentRecord[]>;
  /** Every version of the person's record, oldest first; the old and new codes of a re-code give the same list. */
  history(code: ResidentCode): Promise<RecordHistoryEntry[]>;
  /** True for a code in use here or ever used here (R7: never reissued). */
  isResidentCodeUsed(code: ResidentCode): Promise<boolean>;
  close(): Promise<void>;
}

export type PerformOptions = {
  /** Today at the counter (the clock is read at the edge). */
  readonly today: CalendarDate;
  /** The operation's transaction id; default a fresh randomUUID. */
  readonly transactionId?: string | undefined;
};

export type PerformResult = OperationResult & {
  readonly transactionId: string;
  /** The feed entry of the change event (undefined when there is no event). */
  readonly feedId: number | undefined;
  /** True when the transaction id had been performed before: nothing was changed now. */
  readonly duplicate: boolean;
};

/** One stored version of a 住民票. */
export type RecordHistoryEntry = {
  readonly sequence: number;
  readonly transactionId: string;
  /** The operation that wrote this version. */
  readonly operation: ChangeReason;
  /** False when the operation was about another member (e.g. this person became 世帯主). */
  readonly subject: boolean;
  /** When it was stored (ISO 8601, UTC). */
  readonly recordedAt: string;
  readonly record: ResidentRecord;
};

import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { IdentityInfo } from '../resident/IdentityInfo.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import type { ChangeReason } from './ChangeReason.ts';

/**
 * A change of 本人確認情報 (異動), as the municipality accepted it and as it travels
 * existing register → CS → prefecture → national (R19).
 */
export type ChangeEvent = {
  /** The sender's transaction id: every cross-node write is idempotent on it. */
  readonly transactionId: string;
  readonly reason: ChangeReason;
  /** 異動年月日: the date the change took effect. */
  readonly changeDate: CalendarDate;
  /** The person as known before the change (for a re-code: the old code). */
  readonly residentCode: ResidentCode;
  /**
   * The identity information after the change. For removals it is the last known state; for the
   * two re-coding reasons `values.residentCode` is the new code.
   */
  readonly values: IdentityInfo;
  /** For 転出 only: the destination is abroad (国外転出). */
  readonly movedOverseas?: boolean | undefined;
};

/** One accepted change as kept in history: the event plus the values before it (R1). */
export type HistoryEntry = {
  readonly event: ChangeEvent;
  /** The identity information before the change; undefined for the first entry of a person. */
  readonly before: IdentityInfo | undefined;
  /** Sequence number assigned by the store that accepted it. */
  readonly sequence: number;
};
